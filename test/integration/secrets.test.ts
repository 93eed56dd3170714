/**
 * AwsSecretSource through the real @aws-sdk/client-secrets-manager against a local endpoint on
 * 127.0.0.1 that speaks Secrets Manager's JSON protocol. No AWS, no network beyond the loopback.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { isCodecLabError } from '../../src/errors.js';
import { AwsSecretSource, DEFAULT_SECRET_ID } from '../../src/secrets/secret-source.js';

const KEY = 'sk-ant-api03-secret-from-aws-91ab';
const REGION = 'eu-west-3';
const CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTEST', secretAccessKey: 'test-secret-access-key' };

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

let server: Server;
let endpoint: string;
let received: Received[] = [];
/** Secret id → SecretString; an id mapped to an error name answers with that error. */
let secrets: Map<string, { string: string } | { error: string; status?: number }>;

function reply(status: number, body: unknown): { status: number; body: string } {
  return { status, body: JSON.stringify(body) };
}

function answer(headers: IncomingHttpHeaders, raw: string): { status: number; body: string } {
  if (headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
    return reply(400, { __type: 'UnknownOperationException', message: 'unknown target' });
  }
  if (!/^AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTEST\//.test(headers.authorization ?? '')) {
    return reply(400, { __type: 'UnrecognizedClientException', message: 'bad credentials' });
  }
  const body = JSON.parse(raw) as { SecretId?: unknown };
  const id = typeof body.SecretId === 'string' ? body.SecretId : '';
  const secret = secrets.get(id);
  if (secret === undefined) {
    return reply(400, {
      __type: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
  }
  if ('error' in secret) {
    return reply(secret.status ?? 400, {
      __type: secret.error,
      message: `${secret.error} for ${id}`,
    });
  }
  return reply(200, {
    ARN: `arn:aws:secretsmanager:${REGION}:123456789012:secret:${id}-AbCdEf`,
    Name: id,
    SecretString: secret.string,
    VersionId: '5f8d6f1b-0000-4000-8000-000000000001',
    VersionStages: ['AWSCURRENT'],
    CreatedDate: 1_700_000_000,
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'POST' && req.url === '/') {
        received.push({ headers: req.headers, body: JSON.parse(raw) as Record<string, unknown> });
      }
      const { status, body } =
        req.method === 'POST' && req.url === '/'
          ? answer(req.headers, raw)
          : reply(404, { __type: 'NotFound', message: 'POST / only' });
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'req-1',
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
});

beforeEach(() => {
  received = [];
  secrets = new Map();
});

function source(secretId?: string): AwsSecretSource {
  return new AwsSecretSource({
    region: REGION,
    endpoint,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...(secretId === undefined ? {} : { secretId }),
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error(`not an Error: ${String(error)}`);
  expect(error.message).not.toContain(KEY);
  return error;
}

describe('AwsSecretSource against a local Secrets Manager endpoint', () => {
  it('reads a plain-string secret under the default id, signed, with the JSON protocol', async () => {
    secrets.set(DEFAULT_SECRET_ID, { string: KEY });
    await expect(source().get()).resolves.toBe(KEY);
    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(request.body).toEqual({ SecretId: DEFAULT_SECRET_ID });
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers.authorization).toContain(`/${REGION}/secretsmanager/aws4_request`);
  });

  it.each([
    ['ANTHROPIC_API_KEY', { ANTHROPIC_API_KEY: KEY }],
    ['api_key', { api_key: KEY, owner: 'codec-lab' }],
  ])('reads a JSON secret with %s', async (_field, json) => {
    secrets.set('team/key', { string: JSON.stringify(json) });
    await expect(source('team/key').get()).resolves.toBe(KEY);
  });

  it('says which fields a JSON secret has when none holds the key', async () => {
    secrets.set('team/key', { string: JSON.stringify({ token: KEY }) });
    const error = await failure(source('team/key').get());
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect(error.message).toContain('fields "token"');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
  });

  it('reports a missing secret as API_KEY_MISSING naming the secret id and what to do', async () => {
    const error = await failure(source('nope/missing').get());
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect(error.message).toContain('nope/missing');
    expect(error.message).toContain(REGION);
    expect(error.message).toContain('create-secret');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect((error.cause as Error).name).toBe('ResourceNotFoundException');
  });

  it('reports refused credentials as API_KEY_MISSING naming the permission', async () => {
    secrets.set('team/key', { error: 'AccessDeniedException' });
    const error = await failure(source('team/key').get());
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect(error.message).toContain('secretsmanager:GetSecretValue');
  });

  it('reports an unreachable endpoint as API_KEY_MISSING', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = new AwsSecretSource({
      region: REGION,
      endpoint: `http://127.0.0.1:${port}`,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const error = await failure(unreachable.get());
    expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
    expect(error.message).toContain('could not read secret');
  });
});
