/**
 * The newcomer's first steps (issue 19): a fresh clone of this repository's committed HEAD, the
 * README's first command exactly as written (only the iteration count cut to 2), run from the
 * clone's root with the default, relative `.data`; then both benchmarks on a checkout with no
 * `.data`, in their smallest settings. Every earlier test passed an absolute `--data-dir`, which
 * is how `clips prepare` could fail for everyone who followed the README.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from '../../src/clips/clip-set.js';
import { OWNER_LABEL } from '../../src/sandbox/hardening.js';
import { parseOwner, procLiveness } from '../../src/sandbox/owner.js';
import { ROOT, runCli, sandboxContainers } from './support.js';

const MINUTE = 60_000;
const README_ITERATIONS = '--iterations 40';
const TEST_ITERATIONS = '--iterations 2';

/**
 * The README's first command: the first line of its first ```sh block, without the `#` comment,
 * with the iteration count cut so the test stays short. Throws when the README changed shape.
 */
function readmeFirstCommand(readme: string): string {
  const block = /^```sh\n([^\n]*)\n/m.exec(readme);
  if (block?.[1] === undefined) throw new Error('README.md has no ```sh block');
  const command = (block[1].split('#')[0] ?? '').trim();
  if (!command.includes(README_ITERATIONS)) {
    throw new Error(
      `README.md's first command no longer contains '${README_ITERATIONS}' (it is: ${command}); ` +
        'update this test to cut its iteration count some other way',
    );
  }
  return command.replace(README_ITERATIONS, TEST_ITERATIONS);
}

/**
 * A newcomer's shell: no data dir and no LLM settings (so the default `.data` and the offline
 * generator are used; an AWS region alone would select Claude through Secrets Manager), and
 * nothing of the test runner's own.
 */
function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CODEC_LAB_LOG_LEVEL: 'warn' };
  for (const name of [
    'CODEC_LAB_DATA_DIR',
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_BASE_URL',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'NODE_ENV',
  ]) {
    delete env[name];
  }
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  return env;
}

interface ShellRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last part of stdout and stderr together, for failure messages. */
  readonly tail: string;
  readonly wallMs: number;
}

const KEEP_CHARS = 20_000;

/** Runs `command` with bash in `cwd`; on timeout kills its whole process group. */
function shell(command: string, cwd: string, timeoutMs: number): Promise<ShellRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: newcomerEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let tail = '';
    const keep = (text: string): string =>
      text.length > 2 * KEEP_CHARS ? text.slice(-KEEP_CHARS) : text;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = keep(stdout + chunk.toString());
      tail = keep(tail + chunk.toString());
    });
    child.stderr.on('data', (chunk: Buffer) => (tail = keep(tail + chunk.toString())));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: stdout.slice(-KEEP_CHARS),
        tail: `$ ${command}\n${tail.slice(-KEEP_CHARS)}`,
        wallMs: performance.now() - started,
      });
    });
  });
}

let parent: string;
let clone: string;
let containersBefore: Set<string>;
const walls: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(ROOT, '.git'))) {
    throw new Error(`${ROOT} is not a git checkout: the newcomer test clones it`);
  }
  containersBefore = new Set((await sandboxContainers()).map((info) => info.Id));
  parent = mkdtempSync(join(tmpdir(), 'codec-lab-newcomer-'));
  clone = join(parent, 'codec-lab');
  const cloned = await shell(`git clone --quiet "${ROOT}" "${clone}"`, parent, 2 * MINUTE);
  if (cloned.code !== 0) throw new Error(`git clone failed:\n${cloned.tail}`);
}, 2 * MINUTE);

afterAll(async () => {
  // A command killed on its timeout leaves its sandbox containers to the reaper.
  await runCli(['reap']);
  if (parent !== undefined) rmSync(parent, { recursive: true, force: true });
  console.log(`newcomer wall times: ${walls.join(', ')}`);
}, 2 * MINUTE);

/**
 * Sandbox containers created since the test started whose owner has exited: the clone's
 * commands have, and must have removed theirs. (Live owners are other codec-lab processes on
 * this engine, e.g. a developer's run; their containers are theirs.)
 */
async function leftoverContainers(): Promise<string[]> {
  const alive = (label: string | undefined): boolean => {
    const owner = parseOwner(label);
    return (
      owner !== null &&
      owner.host === procLiveness.host &&
      procLiveness.startTicksOf(owner.pid) === owner.startTicks
    );
  };
  return (await sandboxContainers())
    .filter((info) => !containersBefore.has(info.Id) && !alive(info.Labels[OWNER_LABEL]))
    .map((info) => `${info.Id.slice(0, 12)} ${info.Labels[OWNER_LABEL] ?? ''}`);
}

describe('a newcomer on a fresh clone', () => {
  it('reads the first command from the README and cuts only the iteration count', () => {
    expect(
      readmeFirstCommand(
        '# x\n\n```sh\nscripts/setup.sh && ./bin/codec-lab.js run --iterations 40   # comment\nnpm test\n```\n',
      ),
    ).toBe('scripts/setup.sh && ./bin/codec-lab.js run --iterations 2');
    expect(() => readmeFirstCommand('```sh\n./bin/codec-lab.js run --until 8h\n```\n')).toThrow(
      /no longer contains '--iterations 40'/,
    );
    expect(() => readmeFirstCommand('no block')).toThrow(/no ```sh block/);
  });

  it(
    "runs the README's first command as written, with the default relative .data",
    async () => {
      const command = readmeFirstCommand(readFileSync(join(clone, 'README.md'), 'utf8'));
      const run = await shell(command, clone, 20 * MINUTE);
      walls.push(`README command ${(run.wallMs / 1000).toFixed(0)} s`);
      expect(run.code, run.tail).toBe(0);
      expect(run.stdout, run.tail).toMatch(/2 attempts stored/);

      const data = join(clone, '.data');
      for (const set of ['dev', 'holdout']) {
        expect(existsSync(join(data, 'clips', set, MANIFEST_FILE)), `${set} manifest`).toBe(true);
      }
      const attempts = readdirSync(join(data, 'code_attempts')).filter((name) =>
        /^attempt_\d+\.py$/.test(name),
      );
      expect(attempts).toHaveLength(2);

      const status = await shell('./bin/codec-lab.js status --json', clone, MINUTE);
      expect(status.code, status.tail).toBe(0);
      const parsed = JSON.parse(status.stdout) as {
        running: boolean;
        data_dir: string;
        attempts: number;
      };
      expect(parsed).toMatchObject({ running: false, data_dir: data, attempts: 2 });
      expect(await leftoverContainers()).toEqual([]);
    },
    21 * MINUTE,
  );

  it(
    'runs npm run bench:eval on a checkout with no .data, in its smallest setting',
    async () => {
      rmSync(join(clone, '.data'), { recursive: true, force: true });
      const bench = await shell(
        'npm run --silent bench:eval -- --clips 1 --frames 2 --qualities 0.5',
        clone,
        10 * MINUTE,
      );
      walls.push(`bench:eval ${(bench.wallMs / 1000).toFixed(0)} s`);
      console.log(bench.stdout);
      expect(bench.code, bench.tail).toBe(0);
      expect(bench.stdout).toContain(`preparing the clip sets in ${join(clone, '.data', 'clips')}`);
      expect(bench.stdout).toMatch(
        /JPEG codec on the dev set, batched protocol: 1 clips, 2 frames, 1 qualities/,
      );
      expect(bench.stdout).toMatch(/JPEG codec on the dev set, per-point protocol: 1 clips/);
      expect(bench.stdout).toMatch(/^overhead: \d+\.\d %/m);
      expect(bench.stdout).toMatch(/ffmpeg MJPEG encode \+ decode \+ PSNR/);
      expect(existsSync(join(clone, '.data', 'clips', 'dev', MANIFEST_FILE))).toBe(true);
      expect(await leftoverContainers()).toEqual([]);
    },
    11 * MINUTE,
  );

  it(
    'runs npm run bench:sandbox on a checkout with no .data, in its smallest setting',
    async () => {
      rmSync(join(clone, '.data'), { recursive: true, force: true });
      const bench = await shell('npm run --silent bench:sandbox -- --rounds 1', clone, 5 * MINUTE);
      walls.push(`bench:sandbox ${(bench.wallMs / 1000).toFixed(0)} s`);
      console.log(bench.stdout);
      expect(bench.code, bench.tail).toBe(0);
      expect(bench.stdout).toMatch(/1 rounds, medians/);
      expect(bench.stdout).toMatch(/codec-lab evaluate CLI process, cold +\d+ ms/);
      expect(existsSync(join(clone, '.data'))).toBe(false);
      expect(await leftoverContainers()).toEqual([]);
    },
    6 * MINUTE,
  );
});
