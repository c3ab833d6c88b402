/** Test helpers: a plain sorted-map model of a KV store and small byte utilities. */
import { compareBytes, keyFromString, keyString } from '../bytes.js';
import type { KVStore } from '../types.js';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The reference: a Map keyed by the bytewise-ordered string form of each key. */
export class Model {
  readonly map = new Map<string, Uint8Array>();
  clone(): Model {
    const m = new Model();
    for (const [k, v] of this.map) m.map.set(k, v);
    return m;
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(keyString(key));
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.map.set(keyString(key), value);
  }
  delete(key: Uint8Array): void {
    this.map.delete(keyString(key));
  }
  range(start: Uint8Array | undefined, end: Uint8Array | undefined, reverse = false): [string, string][] {
    const out: [string, string][] = [];
    for (const k of [...this.map.keys()].sort()) {
      const kb = keyFromString(k);
      if (start !== undefined && compareBytes(kb, start) < 0) continue;
      if (end !== undefined && compareBytes(kb, end) >= 0) continue;
      out.push([hex(kb), hex(this.map.get(k) as Uint8Array)]);
    }
    return reverse ? out.reverse() : out;
  }
}

export function collect(it: Iterable<[Uint8Array, Uint8Array]>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of it) out.push([hex(k), hex(v)]);
  return out;
}

export function dump(store: KVStore): [string, string][] {
  return collect(store.iterator());
}

/** A small deterministic PRNG (mulberry32) for reproducible workloads. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
