/**
 * The few database operations the store needs, over LevelDB (`level`) or over memory (tests).
 * Keys and values are bytes; `batch` is atomic.
 */
import { Level } from 'level';
import { keyFromString, keyString } from './bytes.js';

export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export interface StoreDb {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  batch(ops: BatchOp[]): Promise<void>;
  /** Entries with gte <= key < lt, ascending. */
  entries(gte: Uint8Array, lt: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]>;
  keys(gte: Uint8Array, lt: Uint8Array): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

export async function openLevelDb(path: string): Promise<StoreDb> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  return {
    get: async (key) => (await db.get(key)) ?? undefined,
    put: (key, value) => db.put(key, value),
    batch: (ops) => db.batch(ops),
    entries: (gte, lt) => db.iterator({ gte, lt }),
    keys: (gte, lt) => db.keys({ gte, lt }),
    close: () => db.close(),
  };
}

/** A map-backed StoreDb; `snapshot()`/`restore` let tests simulate a crash between writes. */
export class MemoryDb implements StoreDb {
  readonly data = new Map<string, Uint8Array>();
  closed = false;
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.data.get(keyString(key));
  }
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    this.data.set(keyString(key), value.slice());
  }
  async batch(ops: BatchOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.data.set(keyString(op.key), op.value.slice());
      else this.data.delete(keyString(op.key));
    }
  }
  private range(gte: Uint8Array, lt: Uint8Array): string[] {
    const lo = keyString(gte);
    const hi = keyString(lt);
    return [...this.data.keys()].filter((k) => k >= lo && k < hi).sort();
  }
  async *entries(gte: Uint8Array, lt: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
    for (const k of this.range(gte, lt)) {
      const v = this.data.get(k);
      if (v !== undefined) yield [keyFromString(k), v];
    }
  }
  async *keys(gte: Uint8Array, lt: Uint8Array): AsyncIterable<Uint8Array> {
    for (const k of this.range(gte, lt)) if (this.data.has(k)) yield keyFromString(k);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
