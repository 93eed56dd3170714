/**
 * What the server's handlers use, read from `c.var.services`. Built once at the composition
 * root (`codec-lab serve`, `run --serve`) or by a test with fakes.
 */
import type { ListedAnchorClip } from '../anchors/anchor-listing.js';
import type { ChatService } from '../governance/chat.js';
import type { GovernanceReport } from '../governance/report.js';
import type { Logger } from '../logger.js';
import type { LoopControl } from '../loop/loop-control.js';
import type { Store } from '../store/store.js';
import type { AdminGuard } from './admin-auth.js';
import type { LiveMetrics } from './live-metrics.js';

/** One liveness check: resolves with a short detail, or throws saying what is wrong. */
export interface HealthCheck {
  readonly name: string;
  run(): Promise<string>;
}

export interface ServerServices {
  readonly store: Store;
  readonly dataDir: string;
  readonly log: Logger;
  readonly now: () => number;
  readonly health: readonly HealthCheck[];
  /** Whether a `codec-lab run` holds the data dir (this process or another). */
  readonly running: () => boolean;
  readonly latestReport: () => { path: string; report: GovernanceReport } | null;
  readonly anchors: () => Promise<ListedAnchorClip[]>;
  readonly admin: AdminGuard;
  /** Null until the governance chat is wired in: /api/chat answers 503. */
  readonly chat: ChatService | null;
  /** Present when the loop runs in this process (`run --serve`). */
  readonly loop: { readonly control: LoopControl; readonly live: LiveMetrics } | null;
}

export interface ServerEnv {
  Variables: { services: ServerServices };
}
