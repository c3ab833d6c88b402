/** Flag parsers: bad values are refused with a message that says what is accepted. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';

export function defaultHome(): string {
  return process.env.HEARTH_HOME ?? join(homedir(), '.hearth');
}

export function parseBool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('expected true or false');
}

export function parseNonNegativeInt(value: string): number {
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a non-negative integer');
  }
  return Number(value);
}
