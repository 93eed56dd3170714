/**
 * A local server on 127.0.0.1 that speaks OpenAI's Chat Completions protocol well enough for
 * the real openai SDK (as Ollama, vLLM and llama.cpp's server do): POST /v1/chat/completions,
 * an optional Bearer key, every request body recorded, recorded replies answered in order, and
 * the token counts it reported kept so tests can compare the stored usage with them.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReportedUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  /** prompt_tokens_details.cached_tokens; left out of the body when undefined. */
  readonly cached_tokens?: number;
}

/** One recorded reply: an assistant text, a raw HTTP answer, or an answer that comes too late. */
export type ChatReply =
  | {
      readonly text: string | null;
      readonly finishReason?: string;
      readonly usage?: ReportedUsage;
    }
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body: string }
  | { readonly delayMs: number; readonly then: ChatReply };

export interface ChatRequest {
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
}

const DEFAULT_USAGE: ReportedUsage = { prompt_tokens: 1200, completion_tokens: 400 };

export class LocalChatCompletionsApi {
  readonly requests: ChatRequest[] = [];
  /** The usage of each 200 completion sent, in order. */
  readonly reported: ReportedUsage[] = [];
  private server: Server | null = null;
  private readonly replies: ChatReply[] = [];

  /** `apiKey` null: any key (or none) is accepted, like a local server. */
  constructor(readonly apiKey: string | null = null) {}

  get baseURL(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the local Chat Completions API is not started');
    return `http://127.0.0.1:${address.port}/v1`;
  }

  /** Queues replies (a string is an assistant text that stops normally), answered in order. */
  reply(...replies: (string | ChatReply)[]): void {
    this.replies.push(...replies.map((r) => (typeof r === 'string' ? { text: r } : r)));
  }

  /** The model named in each request, in order. */
  models(): unknown[] {
    return this.requests.map((request) => request.body.model);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body: Record<string, unknown> = {};
        const send = (reply: ChatReply): void => {
          if ('delayMs' in reply) {
            const timer = setTimeout(() => send(reply.then), reply.delayMs);
            res.on('close', () => clearTimeout(timer));
            return;
          }
          if (res.destroyed) return;
          if ('status' in reply) {
            res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
            res.end(reply.body);
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(this.completion(reply, body)));
        };
        const error = (status: number, type: string, message: string): void =>
          send({ status, body: JSON.stringify({ error: { message, type, code: null } }) });
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          return error(404, 'invalid_request_error', `no route ${req.method} ${req.url}`);
        }
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (this.apiKey !== null && bearer !== this.apiKey) {
          return error(401, 'invalid_request_error', 'Incorrect API key provided');
        }
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return error(400, 'invalid_request_error', 'body is not JSON');
        }
        this.requests.push({ body, headers: req.headers });
        const reply = this.replies.shift();
        if (reply === undefined) {
          return error(500, 'server_error', 'no recorded response left for this request');
        }
        send(reply);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  private completion(
    reply: { text: string | null; finishReason?: string; usage?: ReportedUsage },
    request: Record<string, unknown>,
  ): Record<string, unknown> {
    const usage = reply.usage ?? DEFAULT_USAGE;
    this.reported.push(usage);
    return {
      id: `chatcmpl-local-${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      // Echoes the model asked for, as Ollama and vLLM do.
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: reply.text },
          finish_reason: reply.finishReason ?? 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.prompt_tokens + usage.completion_tokens,
        ...(usage.cached_tokens === undefined
          ? {}
          : { prompt_tokens_details: { cached_tokens: usage.cached_tokens } }),
      },
    };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
