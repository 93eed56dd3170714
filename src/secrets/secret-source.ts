import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { CodecLabError } from '../errors.js';

/**
 * Where an API key (Anthropic's, an OpenAI-compatible server's) comes from. The composition root fetches it once and passes the
 * string to the generator; nothing here logs it or puts it in an error message.
 */
export interface SecretSource {
  get(): Promise<string>;
}

export const DEFAULT_API_KEY_VARIABLE = 'ANTHROPIC_API_KEY';
export const DEFAULT_SECRET_ID = 'ai-video-codec/anthropic-api-key';

/** JSON secret keys that may hold the Anthropic API key, in the order they are tried. */
export const SECRET_JSON_KEYS: readonly string[] = [
  'ANTHROPIC_API_KEY',
  'anthropic_api_key',
  'api_key',
  'apiKey',
  'key',
];

/** The same for an OpenAI-compatible server's key (CODEC_LAB_OPENAI_SECRET_ID). */
export const OPENAI_SECRET_JSON_KEYS: readonly string[] = [
  'OPENAI_API_KEY',
  'openai_api_key',
  'api_key',
  'apiKey',
  'key',
];

/** The key from a variable of an environment the caller passes (the config module's `env`). */
export class EnvSecretSource implements SecretSource {
  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly name: string = DEFAULT_API_KEY_VARIABLE,
  ) {}

  get(): Promise<string> {
    const value = this.env[this.name]?.trim() ?? '';
    if (value === '') {
      return Promise.reject(
        new CodecLabError(
          'API_KEY_MISSING',
          `${this.name} is not set: export ${this.name}=<your Anthropic API key>, ` +
            `or keep the key in AWS Secrets Manager (secret ${DEFAULT_SECRET_ID})`,
        ),
      );
    }
    return Promise.resolve(value);
  }
}

export interface AwsSecretSourceOptions {
  readonly region: string;
  /** Default `ai-video-codec/anthropic-api-key`. */
  readonly secretId?: string;
  /** Another Secrets Manager endpoint (tests, VPC endpoints). */
  readonly endpoint?: string;
  /** Static credentials; without them the SDK's default chain (env, profile, instance role). */
  readonly credentials?: SecretsManagerClientConfig['credentials'];
  /** Attempts per request including the first (the SDK's own retries). Default 3. */
  readonly maxAttempts?: number;
  /** The variable that could hold the key instead, named in errors. Default ANTHROPIC_API_KEY. */
  readonly keyVariable?: string;
  /** JSON fields tried in order. Default SECRET_JSON_KEYS. */
  readonly jsonKeys?: readonly string[];
}

/** The key from AWS Secrets Manager, stored as a plain string or as JSON with a key field. */
export class AwsSecretSource implements SecretSource {
  readonly secretId: string;
  private readonly region: string;
  private readonly keyVariable: string;
  private readonly jsonKeys: readonly string[];
  private readonly clientConfig: SecretsManagerClientConfig;

  constructor(options: AwsSecretSourceOptions) {
    this.secretId = options.secretId ?? DEFAULT_SECRET_ID;
    this.region = options.region;
    this.keyVariable = options.keyVariable ?? DEFAULT_API_KEY_VARIABLE;
    this.jsonKeys = options.jsonKeys ?? SECRET_JSON_KEYS;
    this.clientConfig = {
      region: options.region,
      maxAttempts: options.maxAttempts ?? 3,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    };
  }

  async get(): Promise<string> {
    // One client per fetch, destroyed after it, so no sockets outlive the (rare) call.
    const client = new SecretsManagerClient(this.clientConfig);
    let text: string;
    try {
      const response = await client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      if (response.SecretString !== undefined) text = response.SecretString;
      else if (response.SecretBinary !== undefined)
        text = Buffer.from(response.SecretBinary).toString('utf8');
      else text = '';
    } catch (error) {
      throw new CodecLabError('API_KEY_MISSING', this.explain(error), { cause: error });
    } finally {
      client.destroy();
    }
    return apiKeyFromSecret(text, this.secretId, this.jsonKeys, this.keyVariable);
  }

  private explain(error: unknown): string {
    const name = error instanceof Error ? error.name : 'Error';
    const where = `secret ${this.secretId} in ${this.region}`;
    const orEnv = `, or set ${this.keyVariable} instead`;
    switch (name) {
      case 'ResourceNotFoundException':
        return (
          `${where} does not exist: create it (aws secretsmanager create-secret --name ` +
          `${this.secretId} --secret-string <key>) or point the secret id setting at yours${orEnv}`
        );
      case 'CredentialsProviderError':
        return (
          `no AWS credentials to read ${where}: set AWS_PROFILE or AWS_ACCESS_KEY_ID/` +
          `AWS_SECRET_ACCESS_KEY, or give the instance a role${orEnv}`
        );
      case 'AccessDeniedException':
      case 'UnrecognizedClientException':
      case 'InvalidSignatureException':
      case 'ExpiredTokenException':
        return (
          `AWS refused to read ${where} (${name}): check the AWS credentials and that they ` +
          `allow secretsmanager:GetSecretValue on it${orEnv}`
        );
      case 'DecryptionFailure':
        return `AWS could not decrypt ${where}: the credentials need kms:Decrypt on its key${orEnv}`;
      default:
        return `could not read ${where} (${name}): check the region, network and AWS credentials${orEnv}`;
    }
  }
}

/**
 * The API key in a secret's text: the text itself, or a JSON object's `ANTHROPIC_API_KEY`
 * (or `api_key`, …) field. Errors name the fields found, never a value.
 */
export function apiKeyFromSecret(
  text: string,
  secretId: string,
  jsonKeys: readonly string[] = SECRET_JSON_KEYS,
  keyVariable: string = DEFAULT_API_KEY_VARIABLE,
): string {
  const trimmed = text.trim();
  const fix = `store the key as a plain string or as {"${keyVariable}": "<key>"}`;
  if (trimmed === '') {
    throw new CodecLabError('API_KEY_MISSING', `secret ${secretId} is empty: ${fix}`);
  }
  // An API key never starts with these: the secret is JSON.
  if (!/^[{["]/.test(trimmed)) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // JSON.parse's message quotes the text, which may hold the key: it is not passed on.
    throw new CodecLabError(
      'API_KEY_MISSING',
      `secret ${secretId} starts like JSON but does not parse: ${fix}`,
    );
  }
  if (typeof parsed === 'string' && parsed.trim() !== '') return parsed.trim();
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    for (const key of jsonKeys) {
      const value = record[key];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
    const found = Object.keys(record);
    const shown =
      found.length === 0 ? 'no fields' : `fields ${found.map((k) => JSON.stringify(k)).join(', ')}`;
    throw new CodecLabError(
      'API_KEY_MISSING',
      `secret ${secretId} is a JSON object with ${shown} but no non-empty ` +
        `${jsonKeys.join(' / ')} field: ${fix}`,
    );
  }
  throw new CodecLabError(
    'API_KEY_MISSING',
    `secret ${secretId} is JSON of type ${Array.isArray(parsed) ? 'array' : typeof parsed}, ` +
      `not a key: ${fix}`,
  );
}
