/**
 * Checked reading of genesis JSON: every accessor names the path of what is wrong, so a bad
 * genesis.json is refused with a message an operator can act on.
 */
export class GenesisError extends Error {
  constructor(path: string, problem: string) {
    super(`genesis: ${path}: ${problem}`);
    this.name = 'GenesisError';
  }
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new GenesisError(path, 'expected an object');
  return v as Record<string, unknown>;
}

export function arr(v: unknown, path: string, optional = false): unknown[] {
  if (optional && (v === undefined || v === null)) return [];
  if (!Array.isArray(v)) throw new GenesisError(path, 'expected an array');
  return v;
}

export function str(v: unknown, path: string, optional = false): string {
  if (optional && (v === undefined || v === null)) return '';
  if (typeof v !== 'string') throw new GenesisError(path, 'expected a string');
  return v;
}

export function bool(v: unknown, path: string, dflt?: boolean): boolean {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'boolean') throw new GenesisError(path, 'expected true or false');
  return v;
}

/** An unsigned integer given as a decimal string (or a safe JSON number), as proto3 JSON allows. */
export function uint(v: unknown, path: string, dflt?: bigint): bigint {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== 'string' || !/^[0-9]{1,20}$/.test(v))
    throw new GenesisError(path, 'expected an unsigned integer string');
  const n = BigInt(v);
  if (n >= 1n << 64n) throw new GenesisError(path, 'does not fit in 64 bits');
  return n;
}

/** Wraps a thrown error's message with the path it occurred at. */
export function at<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GenesisError) throw e;
    throw new GenesisError(path, e instanceof Error ? e.message : String(e));
  }
}
