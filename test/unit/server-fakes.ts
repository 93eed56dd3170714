/** Services for the server's route tests: a MemoryStore, a fake chat, fixed health checks. */
import type { ListedAnchorClip } from '../../src/anchors/anchor-listing.js';
import type { ChatAnswer, ChatService } from '../../src/governance/chat.js';
import { REPORT_SCHEMA, type GovernanceReport } from '../../src/governance/report.js';
import { createLogger } from '../../src/logger.js';
import { LoopControl } from '../../src/loop/loop-control.js';
import { AdminGuard } from '../../src/server/admin-auth.js';
import { createApp } from '../../src/server/app.js';
import { LiveMetrics } from '../../src/server/live-metrics.js';
import type { HealthCheck, ServerServices } from '../../src/server/services.js';
import { MemoryStore } from '../../src/store/memory-store.js';

export const TOKEN = 'test-admin-token-0123456789';

export class FakeChat implements ChatService {
  readonly questions: string[] = [];

  answer(question: string): Promise<ChatAnswer> {
    this.questions.push(question);
    return Promise.resolve({
      answer: `Most failures are <b>timeouts</b>; you asked: ${question}`,
      source: 'offline',
      model: null,
      report_generated_at: '2023-11-14T22:13:20.000Z',
    });
  }
}

export function report(
  overrides: Partial<GovernanceReport['system_status']> = {},
): GovernanceReport {
  return {
    schema: REPORT_SCHEMA,
    generated_at: '2023-11-14T22:13:20.000Z',
    generated_at_ms: 1_700_000_000_000,
    system_status: {
      code_evolution_working: false,
      verdict: 'every recent attempt timed out <script>window.__pwned=1</script>',
      total_attempts: 3,
      successes: 1,
      failures: 2,
      success_rate: 1 / 3,
      versions: 1,
      best_version: null,
      time_to_first_success_ms: null,
      cost_usd: 0.03,
      ...overrides,
    },
    failure_analysis: {
      window: { lookback_ms: 3_600_000, since_ms: 0, until_ms: 1 },
      attempts: 3,
      failures: 2,
      success_rate: 1 / 3,
      counts: { timeouts: 2 },
      patterns: [],
      recommendations: [
        {
          key: 'timeouts',
          issue: 'timeouts',
          count: 2,
          description: 'the encoder loops over pixels in Python',
          fix: 'vectorise with numpy',
          severity: 'high',
          auto_fixable: false,
          sample_attempt_ids: [],
          revision: 1,
        },
      ],
      sample_errors: [],
      versions_adopted: 0,
    },
    improved_prompt: { triggered: true, threshold: 2, text: '', last_sent_attempt_id: null },
    action_items: [
      {
        priority: 1,
        severity: 'high',
        title: 'fix timeouts',
        status: 'open',
        recommendation_key: 'timeouts',
      },
    ],
    effectiveness: [],
  };
}

export interface TestServer {
  readonly app: ReturnType<typeof createApp>;
  readonly services: ServerServices;
  readonly store: MemoryStore;
  readonly chat: FakeChat;
  readonly control: LoopControl;
  readonly clock: { now: number };
}

export interface TestServerOptions {
  readonly token?: string | null;
  readonly withLoop?: boolean;
  readonly withChat?: boolean;
  readonly health?: readonly HealthCheck[];
  readonly report?: GovernanceReport | null;
  readonly anchors?: ListedAnchorClip[];
  readonly store?: MemoryStore;
}

export function testServer(options: TestServerOptions = {}): TestServer {
  const clock = { now: 1_700_000_000_000 };
  const now = (): number => clock.now;
  const store = options.store ?? new MemoryStore(now);
  const chat = new FakeChat();
  const control = new LoopControl();
  const services: ServerServices = {
    store,
    dataDir: '/data',
    log: createLogger({ level: 'silent' }),
    now,
    health: options.health ?? [],
    running: () => options.withLoop === true,
    latestReport: () =>
      options.report
        ? { path: '/data/self_governance_report_x.json', report: options.report }
        : null,
    anchors: () => Promise.resolve(options.anchors ?? []),
    admin: new AdminGuard(options.token === undefined ? TOKEN : options.token, now),
    chat: options.withChat === false ? null : chat,
    loop: options.withLoop ? { control, live: new LiveMetrics(now) } : null,
  };
  return { app: createApp(services), services, store, chat, control, clock };
}

export const bearer = (token = TOKEN): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
  'Content-Type': 'application/json',
});
