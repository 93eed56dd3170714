/**
 * Commander argument parsers: each flag's value is checked as commander reads it, so a bad
 * value fails with commander's usage error (exit 2) naming the flag and what it takes.
 */
import { InvalidArgumentError } from 'commander';
import { resolveUserPath } from '../config.js';

export function positiveInt(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 1)
      throw new InvalidArgumentError(`${flag} takes a positive integer`);
    return parsed;
  };
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${flag} takes a positive number`);
    return parsed;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${flag} takes an integer ≥ 0`);
    return parsed;
  };
}

export function nonNegativeNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${flag} takes a number ≥ 0`);
    return parsed;
  };
}

export function portNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new InvalidArgumentError('--port takes a port number 0…65535 (0: any free port)');
  return parsed;
}

/**
 * Every path flag goes through this at parse time: relative to where the user ran the command,
 * whatever directory codec-lab or its child processes work in later.
 */
export function userPath(value: string): string {
  return resolveUserPath(value);
}
