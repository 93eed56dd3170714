import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  type CommandResult,
  type CommandRunner,
  DebianPackageSource,
  SourceUnavailableError,
} from '../../src/clips/sources.js';
import { isCodecLabError } from '../../src/errors.js';

const PKG = 'opencv-doc';
const VTEST = 'usr/share/doc/opencv-doc/examples/data/vtest.avi';
const TREE = 'usr/share/doc/opencv-doc/examples/data/tree.avi';

const ok: CommandResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false };

interface Call {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/**
 * Behaves like apt-get and dpkg: `apt-get download` writes `<pkg>_1.0_all.deb`
 * into its working folder, `dpkg -x` writes the package's files into the target.
 */
class FakeApt {
  readonly calls: Call[] = [];
  /** What `apt-get download` answers instead of succeeding. */
  aptFailure: CommandResult | Error | undefined;
  /** The files each package contains. */
  contents = new Map<string, string[]>([[PKG, [VTEST, TREE]]]);

  readonly run: CommandRunner = async (command, args, { cwd }) => {
    this.calls.push({ command, args, cwd });
    await Promise.resolve();
    if (command === 'apt-get') {
      if (this.aptFailure instanceof Error) throw this.aptFailure;
      if (this.aptFailure !== undefined) return this.aptFailure;
      writeFileSync(path.join(cwd, `${args[1]!}_1.0_all.deb`), 'deb');
      return ok;
    }
    if (command === 'dpkg') {
      const [, deb, target] = args;
      const pkg = path.basename(deb!).split('_')[0]!;
      for (const file of this.contents.get(pkg) ?? []) {
        mkdirSync(path.dirname(path.join(target!, file)), { recursive: true });
        writeFileSync(path.join(target!, file), `${pkg}:${file}`);
      }
      return ok;
    }
    throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
  };

  commands(): string[] {
    return this.calls.map((c) => [c.command, ...c.args.map((a) => path.basename(a))].join(' '));
  }
}

let root: string;
let installed: string;
let cache: string;
let apt: FakeApt;
let source: DebianPackageSource;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'codec-lab-sources-'));
  installed = path.join(root, 'installed');
  cache = path.join(root, 'cache');
  mkdirSync(installed);
  apt = new FakeApt();
  source = new DebianPackageSource(cache, apt.run, { installedRoot: installed });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<SourceUnavailableError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceUnavailableError);
    return err as SourceUnavailableError;
  }
  throw new Error('no error');
}

describe('DebianPackageSource', () => {
  it('prefers the installed file and runs nothing', async () => {
    const file = path.join(installed, VTEST);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'installed');
    expect(await source.fileOf(PKG, VTEST)).toBe(file);
    expect(apt.calls).toEqual([]);
  });

  it('otherwise downloads the .deb into <cache>/debs and unpacks it into <cache>/pkgs/<pkg>', async () => {
    expect(await source.fileOf(PKG, VTEST)).toBe(path.join(cache, 'pkgs', PKG, VTEST));
    expect(apt.commands()).toEqual([
      `apt-get download ${PKG}`,
      expect.stringMatching(/^dpkg -x opencv-doc_1\.0_all\.deb opencv-doc\.tmp-/),
    ]);
    expect(readdirSync(path.join(cache, 'debs'))).toEqual([`${PKG}_1.0_all.deb`]);
    expect(readdirSync(path.join(cache, 'pkgs'))).toEqual([PKG]);
  });

  it('reuses the unpacked package, also from a new instance', async () => {
    await source.fileOf(PKG, VTEST);
    expect(await source.fileOf(PKG, TREE)).toBe(path.join(cache, 'pkgs', PKG, TREE));
    const again = new DebianPackageSource(cache, apt.run, { installedRoot: installed });
    await again.fileOf(PKG, TREE);
    expect(apt.calls).toHaveLength(2);
  });

  it('unpacks a cached .deb without downloading it again', async () => {
    mkdirSync(path.join(cache, 'debs'), { recursive: true });
    writeFileSync(path.join(cache, 'debs', `${PKG}_0.9_all.deb`), 'deb');
    await source.fileOf(PKG, VTEST);
    expect(apt.commands()).toEqual([expect.stringMatching(/^dpkg -x opencv-doc_0\.9_all\.deb /)]);
  });

  it('downloads a package once for files asked for at the same time', async () => {
    const [a, b] = await Promise.all([source.fileOf(PKG, VTEST), source.fileOf(PKG, TREE)]);
    expect(path.basename(a)).toBe('vtest.avi');
    expect(path.basename(b)).toBe('tree.avi');
    expect(apt.calls.filter((c) => c.command === 'apt-get')).toHaveLength(1);
  });

  it('names the package, the failed command and the fixes when apt-get fails', async () => {
    apt.aptFailure = {
      exitCode: 100,
      stdout: '',
      stderr:
        "W: Download is performed unsandboxed as root as file 'x' couldn't be accessed by user '_apt'.\nE: Unable to locate package opencv-doc\n",
      timedOut: false,
    };
    const err = await failure(source.fileOf(PKG, VTEST));
    expect(isCodecLabError(err, 'CLIP_UNREADABLE')).toBe(true);
    expect(err.packageName).toBe(PKG);
    expect(err.command).toBe('apt-get download opencv-doc');
    expect(err.message).toContain('Debian package opencv-doc');
    expect(err.message).toContain('`apt-get download opencv-doc` exited 100');
    expect(err.message).toContain('E: Unable to locate package opencv-doc');
    expect(err.message).not.toContain('unsandboxed');
    expect(err.message).toContain('run `apt-get update`');
    expect(err.message).toContain('`apt-get install opencv-doc`');
    expect(err.message).toContain('--clips');
    // Nothing half-made is left to be mistaken for a download.
    expect(readdirSync(path.join(cache, 'debs'))).toEqual([]);
  });

  it('says when the mirror cannot be reached, and tries again on the next call', async () => {
    apt.aptFailure = {
      exitCode: 100,
      stdout: '',
      stderr:
        'E: Failed to fetch http://deb.debian.org/x.deb  Temporary failure resolving deb.debian.org\n',
      timedOut: false,
    };
    const err = await failure(source.fileOf(PKG, VTEST));
    expect(err.message).toContain('cannot reach its Debian mirror');
    apt.aptFailure = undefined;
    expect(await source.fileOf(PKG, VTEST)).toContain(path.join('pkgs', PKG));
  });

  it('says when apt-get is not there at all', async () => {
    apt.aptFailure = Object.assign(new Error('spawn apt-get ENOENT'), { code: 'ENOENT' });
    const err = await failure(source.fileOf(PKG, VTEST));
    expect(err.message).toContain('apt-get is not installed here');
    expect(err.message).toContain('--clips');
  });

  it('says when the package lacks the file rather than using another', async () => {
    apt.contents.set(PKG, [TREE]);
    const err = await failure(source.fileOf(PKG, VTEST));
    expect(err.message).toContain(`Debian package opencv-doc has no /${VTEST}`);
    expect(err.message).toContain('--clips');
  });

  it('says when dpkg fails, and leaves no partial unpacking', async () => {
    const run: CommandRunner = async (command, args, options) =>
      command === 'dpkg'
        ? {
            exitCode: 2,
            stdout: '',
            stderr: 'dpkg-deb: error: unexpected end of file in archive member header\n',
            timedOut: false,
          }
        : apt.run(command, args, options);
    const err = await failure(
      new DebianPackageSource(cache, run, { installedRoot: installed }).fileOf(PKG, VTEST),
    );
    expect(err.command).toMatch(/^dpkg -x .*opencv-doc_1\.0_all\.deb/);
    expect(err.message).toContain('looks damaged: delete it');
    expect(readdirSync(path.join(cache, 'pkgs'))).toEqual([]);
  });

  it('refuses paths that leave the package', async () => {
    await expect(source.fileOf(PKG, '/etc/passwd')).rejects.toThrow(/relative path/);
    await expect(source.fileOf(PKG, '../../etc/passwd')).rejects.toThrow(/relative path/);
    await expect(source.fileOf('Bad Name', VTEST)).rejects.toThrow(/package name/);
    expect(apt.calls).toEqual([]);
  });
});
