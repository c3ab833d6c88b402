/** The crash test's workload: the writes of each version, derived from the version alone. */
import type { OpenOptions } from '../commitMultiStore.js';
import { prng } from './model.js';

export const CRASH_STORES = ['alpha', 'beta'];
/** Small snapshot threshold so that kills also land in the middle of snapshots. */
export const CRASH_OPTIONS: OpenOptions = { storeNames: CRASH_STORES, keepRecent: 5, snapshotMinWrites: 400 };

export interface CrashWrite {
  store: number;
  key: Uint8Array;
  value: Uint8Array | undefined;
}

export function crashWrites(version: number): CrashWrite[] {
  const rnd = prng(version * 7919);
  const out: CrashWrite[] = [];
  const n = 50 + Math.floor(rnd() * 150);
  for (let i = 0; i < n; i++) {
    const store = rnd() < 0.7 ? 0 : 1;
    const key = Uint8Array.of(Math.floor(rnd() * 40), Math.floor(rnd() * 40));
    const value =
      rnd() < 0.15
        ? undefined
        : Uint8Array.of(version & 0xff, (version >> 8) & 0xff, i & 0xff, Math.floor(rnd() * 256));
    out.push({ store, key, value });
  }
  return out;
}
