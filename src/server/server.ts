/** Puts the app on a port (@hono/node-server) and takes it off again. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { CodecLabError } from '../errors.js';
import type { ServerEnv } from './services.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and ends the open ones. */
  close(): Promise<void>;
}

export function startServer(
  app: Hono<ServerEnv>,
  options: { readonly host: string; readonly port: number },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    function onError(error: NodeJS.ErrnoException): void {
      reject(
        new CodecLabError(
          'USAGE',
          error.code === 'EADDRINUSE'
            ? `port ${options.port} on ${options.host} is in use: pass --port (or CODEC_LAB_PORT) with a free one, or 0 for any`
            : `cannot listen on ${options.host}:${options.port} (${error.message}): check --port and CODEC_LAB_HOST`,
          { cause: error },
        ),
      );
    }
    server.once('error', onError);
  });
}
