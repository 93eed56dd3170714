/**
 * `codec-lab serve` (the status server on its own, reading the store read-only next to a run)
 * and the server half of `run --serve` (sharing the run's store and controlling its loop).
 */
import Docker from 'dockerode';
import { listAnchors } from '../anchors/anchor-listing.js';
import { MIN_ADMIN_TOKEN_CHARS, type Config, type ServerConfig } from '../config.js';
import { CodecLabError, isCodecLabError } from '../errors.js';
import type { ChatService } from '../governance/chat.js';
import { latestReport } from '../governance/report-files.js';
import type { Logger } from '../logger.js';
import { LoopControl } from '../loop/loop-control.js';
import type { IterationReport } from '../loop/iteration-report.js';
import { AwsSecretSource } from '../secrets/secret-source.js';
import { AdminGuard } from '../server/admin-auth.js';
import { createApp } from '../server/app.js';
import { dockerHealthChecks } from '../server/docker-health.js';
import { LiveMetrics } from '../server/live-metrics.js';
import { startServer, type RunningServer } from '../server/server.js';
import type { ServerServices } from '../server/services.js';
import { SqliteStore, dataDirInUse } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';

/** The admin token from the environment, else from Secrets Manager, else none (admin off). */
export async function adminToken(server: ServerConfig): Promise<string | null> {
  if (server.adminToken !== undefined) return server.adminToken;
  if (server.adminSecretId === undefined) return null;
  const token = await new AwsSecretSource({
    region: server.awsRegion ?? 'us-east-1',
    secretId: server.adminSecretId,
  }).get();
  // The same rule as for CODEC_LAB_ADMIN_TOKEN: a short token is refused, not used.
  if (token.length < MIN_ADMIN_TOKEN_CHARS) {
    throw new CodecLabError(
      'CONFIG_INVALID',
      `the admin token in secret ${server.adminSecretId} has ${token.length} characters; store one of at least ${MIN_ADMIN_TOKEN_CHARS} (e.g. openssl rand -hex 32)`,
    );
  }
  return token;
}

export interface ServeParts {
  readonly config: Config;
  readonly server: ServerConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly docker: Docker;
  readonly running: () => boolean;
  readonly chat: ChatService | null;
  readonly loop: ServerServices['loop'];
}

/** Builds the services, starts listening, and logs where. */
export async function openServer(parts: ServeParts): Promise<RunningServer> {
  const { config, server, log } = parts;
  const token = await adminToken(server);
  const now = Date.now;
  const services: ServerServices = {
    store: parts.store,
    dataDir: config.dataDir,
    log,
    now,
    health: dockerHealthChecks(parts.docker, config.sandboxImage, now),
    running: parts.running,
    latestReport: () => latestReport(config.dataDir),
    anchors: () => listAnchors(config.dataDir),
    admin: new AdminGuard(token, now),
    chat: parts.chat,
    loop: parts.loop,
  };
  const running = await startServer(createApp(services), server);
  log.info(
    {
      url: running.url,
      dataDir: config.dataDir,
      admin: token === null ? 'disabled' : 'enabled',
      chat: parts.chat !== null,
      loop: parts.loop !== null,
    },
    'status server listening',
  );
  return running;
}

/** The store for a standalone server: read-only, created empty first if no run made one yet. */
export function openStoreForServer(dataDir: string, log: Logger): Store {
  try {
    return SqliteStore.openReadOnly({ dataDir });
  } catch (error) {
    if (!isCodecLabError(error, 'STORE_FAILED') || dataDirInUse(dataDir)) throw error;
    SqliteStore.open({ dataDir, log }).close();
    return SqliteStore.openReadOnly({ dataDir });
  }
}

/** `codec-lab serve`: runs until SIGINT/SIGTERM. `chat` is the governance chat, when wired. */
export async function serveCommand(
  config: Config,
  server: ServerConfig,
  log: Logger,
  chat: (store: Store) => Promise<ChatService | null> | ChatService | null = () => null,
): Promise<void> {
  const store = openStoreForServer(config.dataDir, log.child({ component: 'store' }));
  try {
    const running = await openServer({
      config,
      server,
      store,
      log,
      docker: new Docker(),
      running: () => dataDirInUse(config.dataDir),
      chat: await chat(store),
      loop: null,
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        log.info({ signal }, 'status server stopping');
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await running.close();
  } finally {
    store.close();
  }
}

/** The server half of `run --serve`: shares the run's store and controls its loop. */
export interface LoopServer {
  readonly control: LoopControl;
  /** Feed the loop's iteration reports here (for /metrics). */
  readonly onIteration: (report: IterationReport) => void;
  close(): Promise<void>;
}

export async function serveLoop(parts: Omit<ServeParts, 'loop' | 'running'>): Promise<LoopServer> {
  const control = new LoopControl();
  const live = new LiveMetrics();
  const running = await openServer({ ...parts, running: () => true, loop: { control, live } });
  return {
    control,
    onIteration: (report) => live.observe(report),
    close: () => running.close(),
  };
}
