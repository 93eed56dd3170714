/**
 * A local server on 127.0.0.1 that speaks the Anthropic Messages API well enough for the real
 * SDK: it checks the version header and the key, records every request body, and answers with
 * recorded responses in order.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
}

export class LocalMessagesApi {
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private readonly replies: string[] = [];

  constructor(
    readonly apiKey: string,
    readonly model = 'claude-recorded',
  ) {}

  get baseURL(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the local Messages API is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Queues recorded assistant texts, answered in order. */
  reply(...texts: string[]): void {
    this.replies.push(...texts);
  }

  /** The user message of each request, in order. */
  userMessages(): string[] {
    return this.requests.map((request) => {
      const messages = request.body.messages as { content: unknown }[] | undefined;
      const content = messages?.[0]?.content;
      return typeof content === 'string' ? content : JSON.stringify(content);
    });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const send = (status: number, body: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_local' });
          res.end(JSON.stringify(body));
        };
        const error = (status: number, type: string, message: string): void =>
          send(status, { type: 'error', error: { type, message } });
        if (req.method !== 'POST' || req.url !== '/v1/messages') {
          return error(404, 'not_found_error', `no route ${req.method} ${req.url}`);
        }
        if (typeof req.headers['anthropic-version'] !== 'string') {
          return error(400, 'invalid_request_error', 'anthropic-version header is required');
        }
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if ((req.headers['x-api-key'] ?? bearer) !== this.apiKey) {
          return error(401, 'authentication_error', 'invalid x-api-key');
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return error(400, 'invalid_request_error', 'body is not JSON');
        }
        this.requests.push({ body, headers: req.headers });
        const text = this.replies.shift();
        if (text === undefined) {
          return error(500, 'api_error', 'no recorded response left for this request');
        }
        send(200, {
          id: `msg_local_${this.requests.length}`,
          type: 'message',
          role: 'assistant',
          model: this.model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: {
            input_tokens: 1000,
            output_tokens: 500,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

/** A recorded response: a sentence and the code in one python block. */
export function withCode(code: string): string {
  return `Here is the codec.\n\n\`\`\`python\n${code}\n\`\`\`\n`;
}
