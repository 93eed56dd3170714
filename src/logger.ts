import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger: JSON lines on stdout (so `docker logs` is the log), secrets redacted. */
export function createLogger(options: {
  level: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { app: 'codec-lab' },
      redact: {
        paths: [
          'apiKey',
          '*.apiKey',
          '*.*.apiKey',
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          '*.headers["x-api-key"]',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stderr,
  );
}
