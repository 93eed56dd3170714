import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who created a sandbox container: host, pid and the pid's start time (so a reused pid is not
 * mistaken for the owner). Stored as a label; the reaper removes containers of dead owners.
 */
export interface Owner {
  readonly host: string;
  readonly pid: number;
  readonly startTicks: string;
}

export function formatOwner(owner: Owner): string {
  return `${owner.host}:${owner.pid}:${owner.startTicks}`;
}

export function parseOwner(label: string | undefined): Owner | null {
  const match = /^(.+):(\d+):(\d+)$/.exec(label ?? '');
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { host: match[1], pid: Number(match[2]), startTicks: match[3] };
}

/** Field 22 of /proc/PID/stat (after the parenthesised command name), or null if gone. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function currentOwner(): Owner {
  return { host: hostname(), pid: process.pid, startTicks: processStartTicks(process.pid) ?? '0' };
}

export interface Liveness {
  readonly host: string;
  startTicksOf(pid: number): string | null;
}

export const procLiveness: Liveness = { host: hostname(), startTicksOf: processStartTicks };
