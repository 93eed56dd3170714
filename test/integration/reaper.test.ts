import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, sandboxContainers } from './support.js';
import { OWNER_LABEL } from '../../src/sandbox/hardening.js';
import { PINNER_ROLE, PINNER_ROLE_LABEL } from '../../src/sandbox/page-pinner.js';

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('kill -9 of codec-lab during an evaluation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-kill-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('leaves orphans that the next codec-lab command reaps', async () => {
    const child = spawn(
      process.execPath,
      [
        `${ROOT}bin/codec-lab.js`,
        'evaluate',
        `${ROOT}test/fixtures/busy_codec.py`,
        '--timeout-s',
        '120',
        '--data-dir',
        dataDir,
      ],
      { cwd: ROOT, stdio: 'ignore', env: { ...process.env, CODEC_LAB_LOG_LEVEL: 'warn' } },
    );
    const pid = child.pid!;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const isChilds = (labels: Record<string, string>): boolean =>
      (labels[OWNER_LABEL] ?? '').split(':')[1] === String(pid);
    // Wait until the busy codec is running inside a sandbox container of that process.
    await waitFor(async () => {
      const running = (await sandboxContainers()).filter(
        (info) => isChilds(info.Labels) && info.State === 'running',
      );
      return running.length > 0 ? running : null;
    }, 60_000);
    child.kill('SIGKILL');
    await exited;

    const orphans = (await sandboxContainers()).filter((info) => isChilds(info.Labels));
    expect(orphans.length).toBeGreaterThan(0);
    // Its page pinner (§5.2) is among them, and goes with the rest.
    expect(orphans.some((info) => info.Labels[PINNER_ROLE_LABEL] === PINNER_ROLE)).toBe(true);

    const status = await runCli(['image', 'status']);
    expect(status.code).toBe(0);
    const left = (await sandboxContainers()).filter((info) => isChilds(info.Labels));
    expect(left).toEqual([]);
  });
});
