import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchOp, MemoryDb, openLevelDb, type StoreDb } from './db.js';

const k = (s: string) => new TextEncoder().encode(s);
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hearth-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function contents(db: StoreDb): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const [key, value] of db.entries(Uint8Array.of(0), Uint8Array.of(0xff)))
    out[new TextDecoder().decode(key)] = new TextDecoder().decode(value);
  return out;
}

describe.each([
  ['LevelDB', async () => openLevelDb(tempDir())],
  ['memory', async () => new MemoryDb()],
])('StoreDb batch (%s)', (_name, open) => {
  it('applies puts and deletes in order, atomically', async () => {
    const db = await open();
    await db.put(k('a'), k('1'));
    const ops: BatchOp[] = [
      { type: 'put', key: k('b'), value: k('2') },
      { type: 'del', key: k('a') },
      { type: 'put', key: k('c'), value: k('3') },
      { type: 'del', key: k('c') },
      { type: 'put', key: k('b'), value: k('4') },
    ];
    await db.batch(ops);
    expect(await contents(db)).toEqual({ b: '4' });
    await db.batch([]);
    expect(await contents(db)).toEqual({ b: '4' });
    await db.close();
  });

  it('a writer copies each op when given, writes them in order at once, or nothing', async () => {
    const db = await open();
    await db.put(k('a'), k('1'));
    const w = db.writer();
    const key = k('k1');
    const value = k('v1');
    w.put(key, value);
    // The caller reuses its buffers: what was given stays as it was given.
    key.set(k('k2'));
    value.set(k('v2'));
    w.put(key, value);
    w.del(k('a'));
    w.put(k('c'), k('3'));
    w.del(k('c'));
    expect(w.length).toBe(5);
    expect(await contents(db)).toEqual({ a: '1' });
    await w.write();
    expect(await contents(db)).toEqual({ k1: 'v1', k2: 'v2' });
    await expect(async () => w.put(k('late'), k('x'))).rejects.toThrow();

    const dropped = db.writer();
    dropped.put(k('z'), k('9'));
    await dropped.discard();
    expect(await contents(db)).toEqual({ k1: 'v1', k2: 'v2' });
    await db.close();
  });
});

describe('LevelDB batch', () => {
  it('writes nothing when an op is invalid, and the database stays usable', async () => {
    const db = await openLevelDb(tempDir());
    const bad = [
      { type: 'put', key: k('x'), value: k('1') },
      { type: 'put', key: null, value: k('2') },
    ] as unknown as BatchOp[];
    await expect(db.batch(bad)).rejects.toThrow();
    expect(await db.get(k('x'))).toBeUndefined();
    await db.batch([{ type: 'put', key: k('y'), value: k('3') }]);
    expect(await contents(db)).toEqual({ y: '3' });
    await db.close();
  });
});
