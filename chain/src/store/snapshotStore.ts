/**
 * Where snapshots live: plain files next to the LevelDB directory, not inside LevelDB, because
 * a snapshot is a large incompressible write-once blob and LevelDB's compactions would keep
 * rewriting it (measured: update throughput halved while compactions of snapshot data ran).
 *
 * A snapshot file is a sequence of `u32be length || chunk`. It is written to a temporary name,
 * fsync'd, renamed and its directory fsync'd; only then is its marker put into LevelDB. The
 * markers are the truth: a file without a marker is a leftover of a crash and is deleted.
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface SnapshotStore {
  /** Persists the chunks durably; resolves with their count. */
  write(version: number, chunks: Iterable<Uint8Array>): Promise<number>;
  read(version: number): AsyncIterable<Uint8Array>;
  remove(version: number): Promise<void>;
  list(): Promise<number[]>;
}

const FILE = /^(\d+)\.snapshot$/;

export class FileSnapshotStore implements SnapshotStore {
  constructor(private readonly dir: string) {}

  private path(version: number): string {
    return join(this.dir, `${version}.snapshot`);
  }

  async write(version: number, chunks: Iterable<Uint8Array>): Promise<number> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(version)}.tmp`;
    const fh = await open(tmp, 'w');
    let count = 0;
    try {
      const header = new Uint8Array(4);
      const dv = new DataView(header.buffer);
      for (const chunk of chunks) {
        dv.setUint32(0, chunk.length);
        await fh.write(header);
        await fh.write(chunk);
        count++;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path(version));
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
    return count;
  }

  async *read(version: number): AsyncIterable<Uint8Array> {
    const fh = await open(this.path(version), 'r').catch((e: unknown) => {
      throw new Error(`snapshot ${version} is missing: ${String(e)}`);
    });
    try {
      const header = new Uint8Array(4);
      const dv = new DataView(header.buffer);
      for (;;) {
        const { bytesRead } = await fh.read(header, 0, 4);
        if (bytesRead === 0) return;
        if (bytesRead !== 4) throw new Error(`corrupt snapshot ${version}: truncated chunk header`);
        const len = dv.getUint32(0);
        const chunk = new Uint8Array(len);
        const r = await fh.read(chunk, 0, len);
        if (r.bytesRead !== len) throw new Error(`corrupt snapshot ${version}: truncated chunk`);
        yield chunk;
      }
    } finally {
      await fh.close();
    }
  }

  async remove(version: number): Promise<void> {
    await rm(this.path(version), { force: true });
  }

  async list(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    for (const n of names) if (n.endsWith('.tmp')) await rm(join(this.dir, n), { force: true });
    return names.flatMap((n) => {
      const m = FILE.exec(n);
      return m ? [Number(m[1])] : [];
    });
  }
}

export class MemorySnapshotStore implements SnapshotStore {
  readonly files = new Map<number, Uint8Array[]>();
  async write(version: number, chunks: Iterable<Uint8Array>): Promise<number> {
    const list = [...chunks];
    this.files.set(version, list);
    return list.length;
  }
  async *read(version: number): AsyncIterable<Uint8Array> {
    const list = this.files.get(version);
    if (list === undefined) throw new Error(`snapshot ${version} is missing`);
    yield* list;
  }
  async remove(version: number): Promise<void> {
    this.files.delete(version);
  }
  async list(): Promise<number[]> {
    return [...this.files.keys()];
  }
}
