import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { terraformFormatFindings } from '../../scripts/terraform-format.js';

/**
 * The Terraform in terraform/ without a cloud or a terraform binary: it parses (HashiCorp's
 * HCL parser compiled to WebAssembly), it is formatted as terraform fmt would, every variable
 * is typed, described and used, no account-specific id is hard-coded, and the instance's
 * security settings hold. The IAM policy has its own test (terraform-policy.test.ts).
 */

const DIR = fileURLToPath(new URL('../../terraform/', import.meta.url));
const RUNBOOK = fileURLToPath(new URL('../../deploy/README.md', import.meta.url));

type Json = Record<string, unknown>;
type Blocks = Record<string, Record<string, Json[]>>;

const hclFiles = readdirSync(DIR)
  .filter((name) => name.endsWith('.tf') || name.endsWith('.tfvars.example'))
  .sort();
const tfFiles = hclFiles.filter((name) => name.endsWith('.tf'));
const text = (name: string): string => readFileSync(`${DIR}${name}`, 'utf8');

let config: { variable: Record<string, Json[]>; resource: Blocks; output: Record<string, Json[]> };
let rest: string;

/** The single block `type.name` (hcl2json wraps each block in a one-element list). */
function only(blocks: Record<string, Json[]> | undefined, name: string): Json {
  const list = blocks?.[name];
  expect(list, `${name} is declared once`).toHaveLength(1);
  return list?.[0] ?? {};
}

beforeAll(async () => {
  const parsed = await Promise.all(tfFiles.map((name) => parse(name, text(name))));
  const merged: Json = {};
  for (const file of parsed as Json[]) {
    for (const [kind, value] of Object.entries(file)) {
      const target = (merged[kind] ??= {}) as Json;
      for (const [key, inner] of Object.entries(value as Json)) {
        // resource/data nest by type then name; variable/output/locals by name.
        if (target[key] && typeof inner === 'object' && !Array.isArray(inner)) {
          Object.assign(target[key] as Json, inner);
        } else {
          target[key] = inner;
        }
      }
    }
  }
  config = merged as typeof config;
  // Everything but the variable declarations themselves (their validations use var.x).
  const { variable: _variables, ...others } = merged;
  rest = JSON.stringify(others);
});

describe('terraform/', () => {
  it('has the expected files', () => {
    expect(tfFiles).toEqual([
      'iam.tf',
      'main.tf',
      'outputs.tf',
      'secret.tf',
      'variables.tf',
      'versions.tf',
    ]);
  });

  it.each(hclFiles)('%s parses as HCL', async (name) => {
    await expect(parse(name, text(name))).resolves.toBeTypeOf('object');
  });

  it.each(hclFiles)('%s is formatted as terraform fmt would', (name) => {
    expect(terraformFormatFindings(text(name))).toEqual([]);
  });

  it('gives every variable a type and a description, and uses every one', () => {
    const names = Object.keys(config.variable);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const variable = only(config.variable, name);
      expect(variable.type, `variable ${name} has a type`).toMatch(/^\$\{.+\}$/);
      expect(variable.description, `variable ${name} has a description`).toMatch(/\w{3,}.*\w/);
      expect(rest, `variable ${name} is used`).toMatch(new RegExp(`\\bvar\\.${name}\\b`));
    }
  });

  it('documents every variable in the runbook', () => {
    const runbook = readFileSync(RUNBOOK, 'utf8');
    for (const name of Object.keys(config.variable)) {
      expect(runbook, `deploy/README.md names variable ${name}`).toContain(`\`${name}\``);
    }
  });

  it('hard-codes no AMI, instance, volume, network or account id', () => {
    const all = readdirSync(DIR).map((name) => [name, text(name)] as const);
    for (const [name, source] of all) {
      expect(source, name).not.toMatch(/\b(ami|i|vol|snap|sg|subnet|vpc|eni)-[0-9a-f]{8,17}\b/);
      expect(source, name).not.toMatch(/(?<![\d.])\d{12}(?![\d.])/);
      expect(source, `${name}: no secret values`).not.toMatch(/sk-ant-/);
    }
  });

  it('passes the user data template exactly the values it uses', () => {
    const template = text('user-data.sh.tftpl');
    const used = new Set([...template.matchAll(/\$\{(?:replace\()?([a-z_]+)/g)].map((m) => m[1]));
    const instance = only(config.resource.aws_instance, 'worker');
    const call = String(instance.user_data);
    const passed = new Set([...call.matchAll(/([a-z_]+)\s*=/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...passed].sort());
  });

  it('exposes the status port to the configured CIDR only, and nothing else', () => {
    const ingress = config.resource.aws_vpc_security_group_ingress_rule ?? {};
    expect(Object.keys(ingress)).toEqual(['status']);
    const rule = only(ingress, 'status');
    expect(rule).toMatchObject({
      ip_protocol: 'tcp',
      from_port: '${var.status_port}',
      to_port: '${var.status_port}',
      cidr_ipv4: '${var.status_cidr}',
    });
    expect(config.resource.aws_security_group_rule).toBeUndefined();
    const group = only(config.resource.aws_security_group, 'worker');
    expect(group.ingress).toBeUndefined();
  });

  it('encrypts both volumes, requires IMDSv2, has no SSH key and never stores the secret value', () => {
    const instance = only(config.resource.aws_instance, 'worker');
    expect(instance.key_name).toBeUndefined();
    expect((instance.root_block_device as Json[])[0]).toMatchObject({ encrypted: true });
    expect((instance.metadata_options as Json[])[0]).toMatchObject({ http_tokens: 'required' });
    expect(only(config.resource.aws_ebs_volume, 'data')).toMatchObject({ encrypted: true });
    expect(config.resource.aws_secretsmanager_secret_version).toBeUndefined();
  });

  it('outputs the instance id and the status URL', () => {
    expect(Object.keys(config.output)).toEqual(
      expect.arrayContaining(['instance_id', 'status_url']),
    );
    expect(String(only(config.output, 'status_url').value)).toMatch(/^http:\/\/.*var\.status_port/);
    expect(only(config.output, 'instance_id').value).toBe('${aws_instance.worker.id}');
  });
});
