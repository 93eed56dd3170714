/**
 * Operator control of a running research loop: pause (no new iteration starts; the ones in
 * flight finish), resume, and stop after the attempts in flight are stored. The loop awaits
 * `whenRunnable` before each iteration and asks `stopRequested` in its stop check; the admin
 * routes call the rest. It also counts the iterations in flight, for /metrics.
 */
export type LoopState = 'running' | 'paused' | 'stopping';

export class LoopControl {
  private current: LoopState = 'running';
  private running = 0;
  private waiters: Array<() => void> = [];
  private readonly stopping = new AbortController();

  /** Aborts when a stop is requested: the loop's pause between iterations ends at once. */
  get stopSignal(): AbortSignal {
    return this.stopping.signal;
  }

  get state(): LoopState {
    return this.current;
  }

  /** Iterations (generation + evaluation) started and not yet finished. */
  get inFlight(): number {
    return this.running;
  }

  get stopRequested(): boolean {
    return this.current === 'stopping';
  }

  /** No new iteration starts until resume() (or a stop). Returns the state after the call. */
  pause(): LoopState {
    if (this.current === 'running') this.current = 'paused';
    return this.current;
  }

  resume(): LoopState {
    if (this.current === 'paused') {
      this.current = 'running';
      this.release();
    }
    return this.current;
  }

  /** The loop finishes the attempts in flight, stores them, and returns; there is no undo. */
  stopAfterCurrent(): LoopState {
    this.current = 'stopping';
    this.stopping.abort();
    this.release();
    return this.current;
  }

  /** Resolves at once unless paused; then when resumed, stopped, or `signal` aborts. */
  whenRunnable(signal: AbortSignal): Promise<void> {
    if (this.current !== 'paused' || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Marks an iteration as started; call the returned function when it has finished. */
  begin(): () => void {
    this.running += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running -= 1;
    };
  }

  private release(): void {
    for (const waiter of this.waiters.slice()) waiter();
  }
}
