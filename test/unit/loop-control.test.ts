import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import { createLogger } from '../../src/logger.js';
import { LoopControl } from '../../src/loop/loop-control.js';
import type { Clock } from '../../src/loop/clock.js';
import type { IterationReport } from '../../src/loop/iteration-report.js';
import { ResearchLoop } from '../../src/loop/research-loop.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { FakeClock, FakeGenerator, FakePorts, QUALITIES, clip, noCode } from './loop-fakes.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(
  steps: number,
  control: LoopControl,
  onIteration: (r: IterationReport) => void,
  loopClock?: Clock,
) {
  const clock = new FakeClock();
  const store = new MemoryStore(() => clock.now());
  const generator = new FakeGenerator(
    clock,
    Array.from({ length: steps }, () => noCode()),
  );
  const loop = new ResearchLoop({
    store,
    generator,
    ports: new FakePorts(clock),
    contract: loadContract(),
    clips: [clip('a')],
    holdout: null,
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: createLogger({ level: 'silent' }),
    clock: loopClock ?? clock,
    control,
    onIteration,
  });
  return { store, generator, loop };
}

describe('LoopControl', () => {
  it('moves between running, paused and stopping; stop is final', () => {
    const control = new LoopControl();
    expect(control.state).toBe('running');
    expect(control.pause()).toBe('paused');
    expect(control.resume()).toBe('running');
    expect(control.stopAfterCurrent()).toBe('stopping');
    expect(control.pause()).toBe('stopping');
    expect(control.resume()).toBe('stopping');
    expect(control.stopRequested).toBe(true);
  });

  it('holds whenRunnable while paused and releases it on resume, stop or abort', async () => {
    const control = new LoopControl();
    await control.whenRunnable(new AbortController().signal); // running: at once
    control.pause();
    let released = false;
    const gate = control.whenRunnable(new AbortController().signal).then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    control.resume();
    await gate;
    expect(released).toBe(true);

    control.pause();
    const aborter = new AbortController();
    const aborted = control.whenRunnable(aborter.signal);
    aborter.abort();
    await aborted;
    const stopped = control.whenRunnable(new AbortController().signal);
    control.stopAfterCurrent();
    await stopped;
  });

  it('counts iterations in flight, once per begin', () => {
    const control = new LoopControl();
    const a = control.begin();
    const b = control.begin();
    expect(control.inFlight).toBe(2);
    a();
    a();
    expect(control.inFlight).toBe(1);
    b();
    expect(control.inFlight).toBe(0);
  });
});

describe('ResearchLoop with a LoopControl', () => {
  it('pause stops new iterations until resume; stop ends the run after the current one', async () => {
    const control = new LoopControl();
    const seenInFlight: number[] = [];
    const { store, generator, loop } = setup(10, control, (report) => {
      seenInFlight.push(control.inFlight);
      if (report.iteration === 2) control.pause();
      if (report.iteration === 4) control.stopAfterCurrent();
    });
    const running = loop.run({ intervalMs: 0, parallel: 1, signal: new AbortController().signal });
    for (let i = 0; i < 5; i++) await tick();
    expect(generator.calls).toBe(2);
    expect(store.totals().attempts).toBe(2);
    expect(seenInFlight).toEqual([1, 1]);

    control.resume();
    const summary = await running;
    expect(summary).toMatchObject({ iterations: 4, stoppedBecause: 'stopped by an admin' });
    expect(store.totals().attempts).toBe(4);
    expect(control.inFlight).toBe(0);
  });

  it('a stop while paused ends the run without another iteration', async () => {
    const control = new LoopControl();
    control.pause();
    const { generator, loop } = setup(3, control, () => undefined);
    const running = loop.run({ intervalMs: 0, parallel: 2, signal: new AbortController().signal });
    await tick();
    control.stopAfterCurrent();
    const summary = await running;
    expect(generator.calls).toBe(0);
    expect(summary).toMatchObject({ iterations: 0, stoppedBecause: 'stopped by an admin' });
  });

  it('a stop ends the pause between iterations at once (--interval-s)', async () => {
    const control = new LoopControl();
    // A clock whose sleep only ends when its signal aborts: without the stop it would hang.
    const sleeps: number[] = [];
    const { generator, loop } = setup(3, control, () => undefined, {
      now: () => 0,
      sleep: (ms, signal) => {
        sleeps.push(ms);
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      },
    });
    const running = loop.run({
      intervalMs: 3_600_000,
      parallel: 1,
      signal: new AbortController().signal,
    });
    for (let i = 0; i < 5; i++) await tick();
    expect(sleeps).toEqual([3_600_000]);
    control.stopAfterCurrent();
    const summary = await running;
    expect(generator.calls).toBe(1);
    expect(summary).toMatchObject({ iterations: 1, stoppedBecause: 'stopped by an admin' });
  });
});
