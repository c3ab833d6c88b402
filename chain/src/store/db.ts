/**
 * The few database operations the store needs, over LevelDB (`level`) or over memory (tests).
 * Keys and values are bytes; `batch` and a `writer` are atomic.
 */
import { Level } from 'level';
import { keyFromString, keyString } from './bytes.js';
import { MemorySnapshotStore } from './snapshotStore.js';

export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/**
 * Ops given one at a time and written together, atomically, by `write()`. `put` and `del` copy
 * their arguments before returning, so a caller may build every key in one reused buffer and
 * no op outlives the call (a block's index is tens of thousands of keys: held in an op list
 * until the write, they would survive young-generation collections and be copied by them).
 */
export interface DbWriter {
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
  /** Ops given so far. */
  readonly length: number;
  /** Writes every op at once; the writer is then done. */
  write(): Promise<void>;
  /** Drops the ops without writing anything; the writer is then done. */
  discard(): Promise<void>;
}

export interface StoreDb {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  batch(ops: BatchOp[]): Promise<void>;
  writer(): DbWriter;
  /** Entries with gte <= key < lt, ascending. */
  entries(gte: Uint8Array, lt: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]>;
  keys(gte: Uint8Array, lt: Uint8Array): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** A plain Uint8Array view (LevelDB may hand out Buffers, whose `slice` does not copy). */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

async function* plainEntries(
  it: AsyncIterable<[Uint8Array, Uint8Array]>,
): AsyncIterable<[Uint8Array, Uint8Array]> {
  for await (const [k, v] of it) yield [plain(k), plain(v)];
}

async function* plainKeys(it: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const k of it) yield plain(k);
}

export async function openLevelDb(path: string): Promise<StoreDb> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  return {
    get: async (key) => {
      const v = await db.get(key);
      return v === undefined ? undefined : plain(v);
    },
    put: (key, value) => db.put(key, value),
    batch: async (ops) => {
      // A chained batch: one native call per op with the key and value as arguments, about
      // half the cost of the array form, whose native side reads three properties per op.
      const b = db.batch();
      try {
        for (const op of ops) {
          if (op.type === 'put') b.put(op.key, op.value);
          else b.del(op.key);
        }
      } catch (e) {
        await b.close();
        throw e;
      }
      await b.write();
    },
    // The chained batch's native put/del copy key and value into LevelDB's WriteBatch at once
    // (nothing here registers the write hooks or listeners that would keep a reference).
    writer: () => {
      const b = db.batch();
      return {
        put: (key, value) => {
          b.put(key, value);
        },
        del: (key) => {
          b.del(key);
        },
        get length() {
          return b.length;
        },
        write: () => b.write(),
        discard: () => b.close(),
      };
    },
    entries: (gte, lt) => plainEntries(db.iterator({ gte, lt })),
    keys: (gte, lt) => plainKeys(db.keys({ gte, lt })),
    close: () => db.close(),
  };
}

/** A map-backed StoreDb for tests; reopen a store by passing the same instance again. */
export class MemoryDb implements StoreDb {
  readonly data = new Map<string, Uint8Array>();
  /** The snapshot files that go with this database. */
  readonly snapshots = new MemorySnapshotStore();
  closed = false;
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.data.get(keyString(key));
  }
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    this.data.set(keyString(key), new Uint8Array(value));
  }
  async batch(ops: BatchOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.data.set(keyString(op.key), new Uint8Array(op.value));
      else this.data.delete(keyString(op.key));
    }
  }
  writer(): DbWriter {
    const staged: [string, Uint8Array | undefined][] = [];
    let done = false;
    const open = () => {
      if (done) throw new Error('the writer was already written or discarded');
    };
    return {
      put: (key, value) => {
        open();
        staged.push([keyString(key), new Uint8Array(value)]);
      },
      del: (key) => {
        open();
        staged.push([keyString(key), undefined]);
      },
      get length() {
        return staged.length;
      },
      write: async () => {
        open();
        done = true;
        for (const [k, v] of staged) {
          if (v === undefined) this.data.delete(k);
          else this.data.set(k, v);
        }
      },
      discard: async () => {
        done = true;
      },
    };
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
