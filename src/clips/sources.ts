/**
 * Where the clips' source files come from: a Debian package's files, as
 * installed, or fetched with `apt-get download` and unpacked with `dpkg -x`
 * into a cache without installing anything.
 */
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { CodecLabError } from '../errors.js';
import { ProcessError, STDERR_KEEP_CHARS, runProcess } from '../process-runner.js';

export interface PackageSource {
  /**
   * The absolute path of a file Debian package `pkg` installs at
   * `/<relativePath>`. Throws `SourceUnavailableError` when it cannot be had.
   */
  fileOf(pkg: string, relativePath: string): Promise<string>;
}

/** A package's file cannot be had; the message says which command failed and what to do. */
export class SourceUnavailableError extends CodecLabError {
  readonly packageName: string;
  /** The command that failed, when one did. */
  readonly command: string | undefined;

  constructor(
    packageName: string,
    message: string,
    options: { readonly command?: string; readonly cause?: unknown } = {},
  ) {
    super('CLIP_UNREADABLE', message, { cause: options.cause });
    this.name = 'SourceUnavailableError';
    this.packageName = packageName;
    this.command = options.command;
  }
}

export interface CommandResult {
  /** null when the process was killed. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs a command to completion; rejects only when it cannot start (e.g. ENOENT). */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options: { readonly cwd: string },
) => Promise<CommandResult>;

/**
 * A `CommandRunner` on process-runner.ts (its deadline and process-group kill): a timeout is a
 * result (`timedOut`), the error a command that cannot start raised is rethrown as it was.
 */
export function spawnRunner(timeoutMs = 20 * 60_000): CommandRunner {
  return async (command, args, options) => {
    try {
      const result = await runProcess(command, args, {
        cwd: options.cwd,
        timeoutMs,
        timeoutAdvice: 'try again',
        unavailableAdvice: `install ${command}`,
      });
      return {
        exitCode: result.exitCode,
        stdout: result.stdout.toString('utf8').slice(-STDERR_KEEP_CHARS),
        stderr: result.stderr,
        timedOut: false,
      };
    } catch (error) {
      if (!(error instanceof ProcessError)) throw error;
      if (error.code === 'COMMAND_TIMEOUT') {
        return { exitCode: null, stdout: '', stderr: error.stderr, timedOut: true };
      }
      // The callers explain a command that cannot start from its errno (ENOENT: not installed).
      throw error.cause instanceof Error ? error.cause : error;
    }
  };
}

export interface DebianPackageSourceOptions {
  /** Where installed packages live (default `/`); tests point it elsewhere. */
  readonly installedRoot?: string;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const FALLBACK_ADVICE = 'or point --clips at your own video files';

/**
 * Prefers the installed file; otherwise downloads the package's .deb into
 * `<cacheDir>/debs` and unpacks it into `<cacheDir>/pkgs/<pkg>`, both reused
 * on later calls. Nothing is installed and no root is needed beyond what
 * `apt-get download` itself needs.
 */
export class DebianPackageSource implements PackageSource {
  private readonly cacheDir: string;
  private readonly run: CommandRunner;
  private readonly installedRoot: string;
  /** One download and unpack per package, however many files are asked for at once. */
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(
    cacheDir: string,
    run: CommandRunner = spawnRunner(),
    options: DebianPackageSourceOptions = {},
  ) {
    this.cacheDir = path.resolve(cacheDir);
    this.run = run;
    this.installedRoot = path.resolve(options.installedRoot ?? '/');
  }

  async fileOf(pkg: string, relativePath: string): Promise<string> {
    checkRequest(pkg, relativePath);
    const installed = path.join(this.installedRoot, relativePath);
    if (await isReadableFile(installed)) return installed;

    let unpacked = this.unpacking.get(pkg);
    if (unpacked === undefined) {
      unpacked = this.unpack(pkg);
      this.unpacking.set(pkg, unpacked);
      // A failure is not cached: the next call tries again.
      unpacked.catch(() => this.unpacking.delete(pkg));
    }
    const dir = await unpacked;
    const file = path.join(dir, relativePath);
    if (await isReadableFile(file)) return file;
    throw new SourceUnavailableError(
      pkg,
      `Debian package ${pkg} has no /${relativePath} (looked in ${installed} and in the unpacked copy at ${dir}); this version of the package differs from the one codec-lab expects: delete ${dir} and the package in ${this.debsDir()} to fetch it again, ${FALLBACK_ADVICE}`,
    );
  }

  private debsDir(): string {
    return path.join(this.cacheDir, 'debs');
  }

  /** The package unpacked in the cache: reused when present, else downloaded and unpacked. */
  private async unpack(pkg: string): Promise<string> {
    const dir = path.join(this.cacheDir, 'pkgs', pkg);
    // Unpacking goes to a temporary folder renamed into place, so the folder means "complete".
    if (await isDirectory(dir)) return dir;
    const deb = await this.download(pkg);
    await mkdir(path.dirname(dir), { recursive: true });
    const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await this.command(pkg, 'dpkg', ['-x', deb, temp], this.cacheDir, (detail) =>
        /not a Debian format archive|unexpected end of file|corrupt|short read/i.test(detail)
          ? `the cached ${deb} looks damaged: delete it and run again, ${FALLBACK_ADVICE}`
          : `check that dpkg is installed and that ${path.dirname(dir)} is writable and has room, ${FALLBACK_ADVICE}`,
      );
      await renameUnlessPresent(temp, dir);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    return dir;
  }

  /** A complete .deb of `pkg` in the cache, downloading it unless one is there. */
  private async download(pkg: string): Promise<string> {
    const debs = this.debsDir();
    await mkdir(debs, { recursive: true });
    const cached = await findDeb(debs, pkg);
    if (cached !== undefined) return cached;
    // Downloaded into a temporary folder, so an interrupted download never looks complete.
    const temp = path.join(debs, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(temp);
    try {
      await this.command(pkg, 'apt-get', ['download', pkg], temp, (detail) =>
        aptAdvice(pkg, detail),
      );
      const fetched = await findDeb(temp, pkg);
      if (fetched === undefined) {
        throw new SourceUnavailableError(
          pkg,
          `\`apt-get download ${pkg}\` succeeded but left no ${pkg}_*.deb in ${temp}; install the package with \`apt-get install ${pkg}\`, ${FALLBACK_ADVICE}`,
          { command: `apt-get download ${pkg}` },
        );
      }
      const target = path.join(debs, path.basename(fetched));
      await rename(fetched, target);
      return target;
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  private async command(
    pkg: string,
    command: string,
    args: readonly string[],
    cwd: string,
    advice: (detail: string) => string,
  ): Promise<void> {
    const line = [command, ...args].join(' ');
    let result: CommandResult;
    try {
      result = await this.run(command, args, { cwd });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? `${command} is not installed here (not a Debian-based system?)`
          : `${command} could not start (${code ?? String(cause)})`;
      throw new SourceUnavailableError(
        pkg,
        `cannot get Debian package ${pkg}: \`${line}\` failed: ${why}; install ${pkg} with your system's package manager, ${FALLBACK_ADVICE}`,
        { command: line, cause },
      );
    }
    if (result.exitCode === 0 && !result.timedOut) return;
    const detail = errorLines(result.stderr) || errorLines(result.stdout);
    const how = result.timedOut ? 'timed out' : `exited ${result.exitCode ?? 'on a signal'}`;
    throw new SourceUnavailableError(
      pkg,
      `cannot get Debian package ${pkg}: \`${line}\` ${how}${detail ? ` (${detail})` : ''}; ${advice(detail)}`,
      { command: line },
    );
  }
}

/** What to do after `apt-get download` failed, from the most likely cause. */
export function aptAdvice(pkg: string, detail: string): string {
  const install = `or install it with \`apt-get install ${pkg}\`, ${FALLBACK_ADVICE}`;
  if (/Unable to locate package|has no installation candidate|No packages found/i.test(detail)) {
    return `run \`apt-get update\` (the package lists are missing or stale) and try again, ${install}`;
  }
  if (
    /Temporary failure resolving|Could not resolve|Failed to fetch|Connection|timed out|Network/i.test(
      detail,
    )
  ) {
    return `this machine cannot reach its Debian mirror: connect it (or fix /etc/apt/sources.list) and try again, ${install}`;
  }
  return `run \`apt-get update\` and try again, ${install}`;
}

/** apt's `E:` lines, else the last line; apt's harmless `W:` about sandboxing is dropped. */
function errorLines(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const errors = lines.filter((l) => l.startsWith('E:'));
  const chosen = errors.length > 0 ? errors : lines.filter((l) => !l.startsWith('W:')).slice(-1);
  return chosen.join(' ').slice(0, 500);
}

function checkRequest(pkg: string, relativePath: string): void {
  if (!PACKAGE_NAME.test(pkg)) throw new Error(`not a Debian package name: ${JSON.stringify(pkg)}`);
  const normal = path.posix.normalize(relativePath);
  if (path.posix.isAbsolute(relativePath) || normal !== relativePath || normal.startsWith('..')) {
    throw new Error(`not a relative path inside a package: ${JSON.stringify(relativePath)}`);
  }
}

async function findDeb(dir: string, pkg: string): Promise<string | undefined> {
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${pkg}_`) && n.endsWith('.deb'));
  names.sort();
  const last = names[names.length - 1];
  return last === undefined ? undefined : path.join(dir, last);
}

async function renameUnlessPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    // Another process unpacked the same package first: theirs is as good.
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isDirectory(to))) return;
    throw err;
  }
}

async function isReadableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
