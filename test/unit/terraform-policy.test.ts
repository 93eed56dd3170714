import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The worker host's IAM role grants exactly: secretsmanager:GetSecretValue on the one API key
 * secret, and the AWS-managed AmazonSSMManagedInstanceCore policy. Every place Terraform can
 * attach permissions is collected here, so a new grant anywhere fails this test.
 */

const DIR = fileURLToPath(new URL('../../terraform/', import.meta.url));
type Json = Record<string, unknown>;

interface Grant {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

const SECRET_ARN = '${aws_secretsmanager_secret.api_key.arn}';
const SSM_CORE =
  'arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore';
const ALLOWED_IAM_RESOURCES = [
  'aws_iam_instance_profile',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
];

let resources: Record<string, Record<string, Json[]>> = {};
let documents: Record<string, Json[]> = {};

function first(list: unknown): Json {
  return ((list as Json[] | undefined) ?? [])[0] ?? {};
}

/** The statements of `data.aws_iam_policy_document.NAME`, from a `${....json}` reference. */
function statementsOf(reference: unknown): Json[] {
  const match = /^\$\{data\.aws_iam_policy_document\.([a-z_]+)\.json\}$/.exec(String(reference));
  if (!match?.[1]) {
    throw new Error(
      `a policy must reference an aws_iam_policy_document data source, got ${String(reference)}`,
    );
  }
  return (first(documents[match[1]]).statement as Json[] | undefined) ?? [];
}

function grantOf(statement: Json): Grant {
  for (const forbidden of ['not_actions', 'not_resources', 'not_principals']) {
    expect(statement[forbidden], `${forbidden} widens a grant`).toBeUndefined();
  }
  return {
    effect: typeof statement.effect === 'string' ? statement.effect : 'Allow',
    actions: (statement.actions as string[] | undefined) ?? [],
    resources: (statement.resources as string[] | undefined) ?? [],
  };
}

beforeAll(async () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith('.tf'));
  for (const name of files) {
    const parsed = (await parse(name, readFileSync(`${DIR}${name}`, 'utf8'))) as Json;
    for (const [type, byName] of Object.entries((parsed.resource ?? {}) as Json)) {
      resources[type] = { ...(resources[type] ?? {}), ...(byName as Record<string, Json[]>) };
    }
    const data = (parsed.data ?? {}) as Record<string, Record<string, Json[]>>;
    documents = { ...documents, ...(data.aws_iam_policy_document ?? {}) };
  }
  resources = { ...resources };
});

describe('the worker role (least privilege)', () => {
  it('declares no IAM resource beyond the role, its policy, its attachment and the profile', () => {
    const iam = Object.keys(resources).filter((type) => type.startsWith('aws_iam_'));
    expect(iam.sort()).toEqual(ALLOWED_IAM_RESOURCES);
    for (const type of ALLOWED_IAM_RESOURCES)
      expect(Object.keys(resources[type] ?? {})).toHaveLength(1);
  });

  it('grants exactly GetSecretValue on the one secret and the SSM core managed policy', () => {
    const granted: Grant[] = [];
    for (const [name, list] of Object.entries(resources.aws_iam_role_policy ?? {})) {
      expect(first(list).role, name).toBe('${aws_iam_role.worker.id}');
      granted.push(...statementsOf(first(list).policy).map(grantOf));
    }
    expect(granted).toEqual([
      { effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [SECRET_ARN] },
    ]);

    const attached = Object.values(resources.aws_iam_role_policy_attachment ?? {}).map(
      (list) => first(list).policy_arn,
    );
    expect(attached).toEqual([SSM_CORE]);
  });

  it('puts no inline or managed policies on the role itself, and EC2 alone assumes it', () => {
    const role = first(resources.aws_iam_role?.worker);
    expect(role.inline_policy).toBeUndefined();
    expect(role.managed_policy_arns).toBeUndefined();
    const trust = statementsOf(role.assume_role_policy);
    expect(trust).toHaveLength(1);
    const [statement] = trust;
    expect(grantOf(statement ?? {})).toEqual({
      effect: 'Allow',
      actions: ['sts:AssumeRole'],
      resources: [],
    });
    expect(statement?.principals).toEqual([
      { type: 'Service', identifiers: ['ec2.amazonaws.com'] },
    ]);
    expect(first(resources.aws_iam_instance_profile?.worker).role).toBe(
      '${aws_iam_role.worker.name}',
    );
  });

  it('has no wildcard and no policy document other than the two', () => {
    expect(Object.keys(documents).sort()).toEqual(['assume_role', 'read_api_key']);
    const everything = JSON.stringify({ documents, iam: resources.aws_iam_role_policy });
    expect(everything).not.toMatch(/\*/);
    expect(everything).not.toMatch(/ec2:|iam:|s3:|kms:/);
  });

  it('finds no policy attached elsewhere (no jsonencode policy on any other resource)', () => {
    for (const [type, byName] of Object.entries(resources)) {
      if (type === 'aws_iam_role_policy') continue;
      for (const [name, list] of Object.entries(byName)) {
        expect(first(list).policy, `${type}.${name} carries no policy`).toBeUndefined();
      }
    }
  });
});
