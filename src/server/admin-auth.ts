/**
 * Who may use the admin routes: a bearer token compared in constant time (sha256 digests of
 * both sides, so neither length nor content leaks through timing), and a per-address limit on
 * failed attempts. No token configured means the admin routes are off, not open.
 *
 * The token is checked before the limit, so the right token always passes: the operator often
 * shares an address with everyone else (the Docker port proxy, an SSM tunnel), and a limit that
 * also refused the right token would let anyone there lock the operator out with a few bad
 * requests. Only a wrong bearer token counts as a failure; a request without one (no header, or
 * not a bearer one) cannot be a guess and costs nothing. What keeps guessing hopeless is the
 * token's length (at least 16 characters, see config.ts); the limit turns a flood of wrong
 * tokens into cheap 429s and log lines that say so.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const MAX_AUTH_FAILURES = 5;
export const AUTH_WINDOW_MS = 60_000;
/** Addresses remembered at most; the oldest are forgotten first (bounded memory). */
const MAX_TRACKED_ADDRESSES = 10_000;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export type AuthVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'disabled' }
  | { readonly ok: false; readonly reason: 'rate_limited'; readonly retryAfterS: number }
  | { readonly ok: false; readonly reason: 'missing' | 'wrong' };

export class AdminGuard {
  private readonly tokenDigest: Buffer | null;
  /** Failure times per client address, oldest first, within the window. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    token: string | null,
    private readonly now: () => number = Date.now,
    private readonly maxFailures = MAX_AUTH_FAILURES,
    private readonly windowMs = AUTH_WINDOW_MS,
  ) {
    this.tokenDigest = token === null ? null : digest(token);
  }

  get enabled(): boolean {
    return this.tokenDigest !== null;
  }

  /** `authorization` is the raw header value; `address` identifies the client. */
  check(authorization: string | undefined, address: string): AuthVerdict {
    if (this.tokenDigest === null) return { ok: false, reason: 'disabled' };
    const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (given === undefined) return { ok: false, reason: 'missing' };
    if (timingSafeEqual(digest(given), this.tokenDigest)) return { ok: true };
    const now = this.now();
    const recent = (this.failures.get(address) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.maxFailures) {
      // Not recorded, so a flood does not push the window on: each failure expires on its own.
      const retryAfterS = Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
      return { ok: false, reason: 'rate_limited', retryAfterS };
    }
    this.failures.delete(address);
    this.failures.set(address, [...recent, now]);
    if (this.failures.size > MAX_TRACKED_ADDRESSES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    return { ok: false, reason: 'wrong' };
  }
}
