/**
 * The root multistore (cosmos-sdk `store/rootmulti`): one IAVL tree per module store, an app
 * hash that is the simple merkle root over (store name, store root hash), ICS23 proofs for
 * `abci_query`, and persistence in LevelDB (layout and crash-safety argument in persist.ts).
 *
 * The working state of each store is a CacheKV over its last committed tree. At commit its
 * writes are applied to the tree in key order, so the app hash depends only on what a block
 * wrote, never on the order it wrote it in (as with the SDK, whose cachekv flushes sorted).
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesEqual, EMPTY_HASH } from './bytes.js';
import { assertKey, CacheKV } from './cacheKV.js';
import { type BatchOp, MemoryDb, openLevelDb, type StoreDb } from './db.js';
import {
  decodeChanges,
  decodeInfo,
  decodeNames,
  decodeVersion,
  encodeChanges,
  encodeInfo,
  encodeNames,
  encodeVersion,
  keyVersion,
  SnapshotDecoder,
  snapshotChunks,
  TAG,
  tagKey,
  versionKey,
} from './persist.js';
import {
  encodeCommitmentProof,
  iavlExistenceProof,
  iavlNonExistenceProof,
  multistoreHash,
  multistoreProof,
} from './proofs.js';
import { FileSnapshotStore, type SnapshotStore } from './snapshotStore.js';
import { Mutator, type Node, rootHash, treeGet, type WriteOp } from './tree.js';
import type {
  CacheMultiStore,
  CommitId,
  CommitMultiStore,
  CommitMultiStoreOptions,
  KVStore,
  MultiStore,
  ProofOp,
  QueryResult,
} from './types.js';
import { BranchMultiStore, ReadOnlyMultiStore, TreeView, unknownStore } from './views.js';

export interface OpenOptions extends CommitMultiStoreOptions {
  /**
   * A snapshot of every tree is written (in the background, to a file, in 1 MiB chunks) once
   * this many writes, and at least as many as the last snapshot held leaves, were committed
   * since that snapshot. Opening replays the writes after the newest snapshot, so this bounds
   * a restart's work by about one tree's worth of writes, while snapshots cost a fixed share of
   * the cost of writes (one tree serialized per tree-size of writes). Default 100_000.
   */
  snapshotMinWrites?: number;
  /** Recent versions whose trees stay in memory for historical reads (default 4). */
  memoryVersions?: number;
}

type Roots = (Node | undefined)[];

/** The store as opened here: the contract plus a hook to await the background snapshot. */
export interface RootCommitMultiStore extends CommitMultiStore {
  /** Resolves once a background snapshot being written (if any) is on disk. */
  flushSnapshot(): Promise<void>;
  /** Writes a snapshot of the latest version now (e.g. before a planned shutdown, so that the
   * next start replays nothing) and resolves when it is on disk. */
  snapshot(): Promise<void>;
}

interface SnapshotInfo {
  version: number;
  chunks: number;
}

interface WorkingState {
  generations: number[];
  roots: Roots;
  hashes: Uint8Array[];
  appHash: Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * Opens (or creates) a multistore in the directory `path`: LevelDB in `path/state`, snapshot
 * files in `path/snapshots`.
 */
export async function openCommitMultiStore(path: string, opts: OpenOptions): Promise<RootCommitMultiStore> {
  validateOptions(opts);
  await mkdir(path, { recursive: true });
  const db = await openLevelDb(join(path, 'state'));
  try {
    return await RootMultiStore.open(db, new FileSnapshotStore(join(path, 'snapshots')), opts);
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** The same store over an in-memory database (for tests); pass the same `db` to "reopen". */
export async function openMemoryCommitMultiStore(
  opts: OpenOptions,
  db: MemoryDb = new MemoryDb(),
): Promise<RootCommitMultiStore> {
  validateOptions(opts);
  return RootMultiStore.open(db, db.snapshots, opts);
}

function validateOptions(opts: OpenOptions): void {
  if (opts === null || typeof opts !== 'object') throw new TypeError('store options are required');
  const { storeNames, keepRecent } = opts;
  if (!Array.isArray(storeNames) || storeNames.length === 0)
    throw new Error('storeNames must be a non-empty array');
  for (const n of storeNames)
    if (typeof n !== 'string' || n.length === 0) throw new Error('store names must be non-empty strings');
  if (new Set(storeNames).size !== storeNames.length) throw new Error('store names must be unique');
  if (!Number.isSafeInteger(keepRecent) || keepRecent < 0)
    throw new Error('keepRecent must be a non-negative integer');
  if (
    opts.snapshotMinWrites !== undefined &&
    !(Number.isSafeInteger(opts.snapshotMinWrites) && opts.snapshotMinWrites > 0)
  )
    throw new Error('snapshotMinWrites must be a positive integer');
  if (
    opts.memoryVersions !== undefined &&
    !(Number.isSafeInteger(opts.memoryVersions) && opts.memoryVersions >= 1)
  )
    throw new Error('memoryVersions must be a positive integer');
}

function assertVersion(v: unknown): asserts v is number {
  if (!Number.isSafeInteger(v) || (v as number) < 0)
    throw new Error(`version must be a non-negative integer, got ${String(v)}`);
}

class RootMultiStore implements RootCommitMultiStore {
  private readonly names: string[];
  private readonly index = new Map<string, number>();
  private version = 0;
  private roots: Roots;
  private hashes: Uint8Array[];
  private appHash: Uint8Array = new Uint8Array(0);
  private readonly working: CacheKV[];
  private workingState: WorkingState | undefined;
  /** Recent committed versions kept in memory. */
  private readonly history = new Map<number, Roots>();
  /** Older retained versions rebuilt on demand (small LRU). */
  private readonly rebuilt = new Map<number, Roots>();
  private snapshots: SnapshotInfo[] = [];
  private oldestInfo = 1;
  private oldestChanges = 1;
  private writesSinceSnapshot = 0;
  /** Leaves in the trees of the newest snapshot (written or loaded). */
  private snapshotLeaves = 0;
  private snapshotTask: Promise<void> | undefined;
  private snapshotError: unknown;
  private committing = false;
  private closed = false;
  private readonly snapshotMinWrites: number;
  private readonly memoryVersions: number;

  private constructor(
    private readonly db: StoreDb,
    private readonly files: SnapshotStore,
    private readonly opts: OpenOptions,
  ) {
    this.names = [...opts.storeNames].sort();
    this.names.forEach((n, i) => {
      this.index.set(n, i);
    });
    this.roots = this.names.map(() => undefined);
    this.hashes = this.names.map(() => EMPTY_HASH);
    this.working = this.names.map(() => new CacheKV(new TreeView(undefined)));
    this.snapshotMinWrites = opts.snapshotMinWrites ?? 100_000;
    this.memoryVersions = opts.memoryVersions ?? 4;
  }

  static async open(db: StoreDb, files: SnapshotStore, opts: OpenOptions): Promise<RootMultiStore> {
    const s = new RootMultiStore(db, files, opts);
    await s.load();
    return s;
  }

  private async load(): Promise<void> {
    const db = this.db;
    const meta = await db.get(tagKey(TAG.meta));
    const latestBytes = await db.get(tagKey(TAG.latest));
    if (meta === undefined) {
      if (latestBytes !== undefined) throw new Error('corrupt store: versions without meta record');
      await db.put(tagKey(TAG.meta), encodeNames(this.names));
    } else {
      const stored = decodeNames(meta);
      if (stored.join('\u0000') !== this.names.join('\u0000'))
        throw new Error(
          `store names differ from the database: it has [${stored.join(', ')}], asked for [${this.names.join(', ')}]`,
        );
    }
    const latest = latestBytes === undefined ? 0 : decodeVersion(latestBytes);

    for await (const [k, v] of db.entries(versionKey(TAG.marker, 0), versionKey(TAG.marker + 1, 0))) {
      const chunks = new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(0);
      this.snapshots.push({ version: keyVersion(k), chunks });
    }
    // Snapshot files without a marker: a crash interrupted writing or pruning them.
    const complete = new Set(this.snapshots.map((s) => s.version));
    for (const v of await this.files.list()) if (!complete.has(v)) await this.files.remove(v);

    this.oldestInfo = (await this.firstVersion(TAG.info)) ?? latest + 1;
    this.oldestChanges = (await this.firstVersion(TAG.changes)) ?? latest + 1;
    if (latest === 0) return;

    const base = this.snapshotAtOrBelow(latest);
    let roots = await this.loadSnapshot(base);
    this.snapshotLeaves = countLeaves(roots);
    let expect = base + 1;
    for await (const [k, v] of db.entries(
      versionKey(TAG.changes, base + 1),
      versionKey(TAG.changes, latest + 1),
    )) {
      const ver = keyVersion(k);
      if (ver !== expect) throw new Error(`corrupt store: changeset of version ${expect} missing`);
      const changes = decodeChanges(v, this.names.length);
      roots = applyChanges(roots, changes, ver);
      for (const ops of changes) this.writesSinceSnapshot += ops.length;
      if (ver > latest - this.memoryVersions) this.history.set(ver, roots);
      expect++;
    }
    if (expect !== latest + 1) throw new Error(`corrupt store: changeset of version ${expect} missing`);
    this.version = latest;
    this.roots = roots;
    this.hashes = roots.map(rootHash);
    this.appHash = this.computeAppHash(this.hashes);
    await this.checkInfo(latest, this.hashes);
    this.history.set(latest, roots);
    this.working.forEach((c, i) => {
      c.rebase(new TreeView(roots[i]));
    });
  }

  private async firstVersion(tag: number): Promise<number | undefined> {
    for await (const k of this.db.keys(versionKey(tag, 0), versionKey(tag + 1, 0))) return keyVersion(k);
    return undefined;
  }

  private snapshotAtOrBelow(v: number): number {
    let best = 0;
    for (const s of this.snapshots) if (s.version <= v && s.version > best) best = s.version;
    return best;
  }

  private async loadSnapshot(version: number): Promise<Roots> {
    if (version === 0) return this.names.map(() => undefined);
    const info = this.snapshots.find((s) => s.version === version);
    if (info === undefined) throw new Error(`snapshot ${version} not found`);
    const dec = new SnapshotDecoder(this.names.length);
    let count = 0;
    for await (const chunk of this.files.read(version)) {
      dec.feed(chunk);
      count++;
    }
    if (count !== info.chunks)
      throw new Error(`corrupt snapshot ${version}: ${count} of ${info.chunks} chunks`);
    return dec.finish();
  }

  private async checkInfo(version: number, hashes: readonly Uint8Array[]): Promise<void> {
    const b = await this.db.get(versionKey(TAG.info, version));
    if (b === undefined) throw new Error(`corrupt store: commit info of version ${version} missing`);
    const stored = decodeInfo(b);
    if (stored.length !== hashes.length || !stored.every((h, i) => bytesEqual(h, hashes[i] as Uint8Array)))
      throw new Error(
        `corrupt store: rebuilt trees of version ${version} do not match the committed root hashes`,
      );
  }

  private computeAppHash(hashes: readonly Uint8Array[]): Uint8Array {
    return multistoreHash(this.names.map((name, i) => ({ name, hash: hashes[i] as Uint8Array })));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  // --- MultiStore ---------------------------------------------------------------------------

  getKVStore(name: string): KVStore {
    const i = this.index.get(name);
    if (i === undefined) throw unknownStore(name, this.names);
    return this.working[i] as CacheKV;
  }

  storeNames(): readonly string[] {
    return this.names;
  }

  // --- CommitMultiStore ---------------------------------------------------------------------

  lastCommitId(): CommitId {
    return { version: this.version, hash: this.appHash };
  }

  cacheMultiStore(): CacheMultiStore {
    return new BranchMultiStore(this);
  }

  private computeWorking(): WorkingState {
    const gens = this.working.map((c) => c.generation);
    const prev = this.workingState;
    if (prev?.generations.every((g, i) => g === gens[i])) return prev;
    const next = this.version + 1;
    const roots = this.working.map((c, i) => {
      if (c.size === 0) return this.roots[i];
      if (prev !== undefined && prev.generations[i] === gens[i]) return prev.roots[i];
      return new Mutator(next).apply(this.roots[i], c.sortedEntries());
    });
    const hashes = roots.map(rootHash);
    this.workingState = { generations: gens, roots, hashes, appHash: this.computeAppHash(hashes) };
    return this.workingState;
  }

  workingHash(): Uint8Array {
    this.assertOpen();
    return this.computeWorking().appHash;
  }

  async commit(): Promise<CommitId> {
    this.assertOpen();
    if (this.committing) throw new Error('a commit is already in progress');
    if (this.snapshotError !== undefined)
      throw new Error(`background snapshot failed: ${String(this.snapshotError)}`);
    this.committing = true;
    for (const c of this.working) c.frozen = true;
    try {
      const ws = this.computeWorking();
      const v = this.version + 1;
      const changes = this.working.map((c) => c.sortedEntries());
      const ops: BatchOp[] = [
        { type: 'put', key: versionKey(TAG.changes, v), value: encodeChanges(changes) },
        { type: 'put', key: versionKey(TAG.info, v), value: encodeInfo(ws.hashes) },
        { type: 'put', key: tagKey(TAG.latest), value: encodeVersion(v) },
      ];
      const prune = this.pruneOps(v, ops);
      await this.db.batch(ops);

      this.version = v;
      this.roots = ws.roots;
      this.hashes = ws.hashes;
      this.appHash = ws.appHash;
      this.workingState = undefined;
      this.working.forEach((c, i) => {
        c.discard();
        c.rebase(new TreeView(ws.roots[i]));
      });
      this.history.set(v, ws.roots);
      for (const hv of this.history.keys())
        if (hv <= v - this.memoryVersions || hv < prune.oldestInfo) this.history.delete(hv);
      for (const rv of this.rebuilt.keys()) if (rv < prune.oldestInfo) this.rebuilt.delete(rv);
      this.oldestInfo = prune.oldestInfo;
      this.oldestChanges = prune.oldestChanges;
      const obsolete = this.snapshots.filter((s) => s.version < prune.keepSnapshotsFrom);
      this.snapshots = this.snapshots.filter((s) => s.version >= prune.keepSnapshotsFrom);
      // Their markers are gone; a file left behind here (crash, I/O error) is removed at the next open.
      for (const s of obsolete) await this.files.remove(s.version).catch(() => undefined);
      if (this.oldestInfo > v) this.oldestInfo = v;
      for (const ch of changes) this.writesSinceSnapshot += ch.length;
      this.maybeSnapshot();
      return { version: v, hash: this.appHash };
    } finally {
      for (const c of this.working) c.frozen = false;
      this.committing = false;
    }
  }

  /** Deletes for what version `v`'s commit makes unreachable; appended to `ops`. */
  private pruneOps(
    v: number,
    ops: BatchOp[],
  ): { oldestInfo: number; oldestChanges: number; keepSnapshotsFrom: number } {
    if (this.opts.keepRecent === 0) {
      return {
        oldestInfo: Math.min(this.oldestInfo, v),
        oldestChanges: this.oldestChanges,
        keepSnapshotsFrom: 0,
      };
    }
    const oldest = Math.max(1, v - this.opts.keepRecent);
    // Versions from `oldest` on are rebuilt from the newest snapshot at or below it.
    const base = this.snapshotAtOrBelow(oldest);
    for (const s of this.snapshots) {
      if (s.version >= base) continue;
      ops.push({ type: 'del', key: versionKey(TAG.marker, s.version) });
    }
    let oldestChanges = this.oldestChanges;
    for (; oldestChanges <= base; oldestChanges++)
      ops.push({ type: 'del', key: versionKey(TAG.changes, oldestChanges) });
    let oldestInfo = this.oldestInfo;
    for (; oldestInfo < oldest; oldestInfo++)
      ops.push({ type: 'del', key: versionKey(TAG.info, oldestInfo) });
    return { oldestInfo: Math.max(oldestInfo, this.oldestInfo), oldestChanges, keepSnapshotsFrom: base };
  }

  private maybeSnapshot(): void {
    if (this.snapshotTask !== undefined) return;
    if (this.writesSinceSnapshot < Math.max(this.snapshotMinWrites, this.snapshotLeaves)) return;
    this.startSnapshot();
  }

  private startSnapshot(): void {
    const version = this.version;
    const roots = this.roots;
    this.writesSinceSnapshot = 0;
    this.snapshotLeaves = countLeaves(roots);
    this.snapshotTask = this.writeSnapshot(version, roots)
      .catch((e: unknown) => {
        this.snapshotError = e;
      })
      .finally(() => {
        this.snapshotTask = undefined;
      });
  }

  private async writeSnapshot(version: number, roots: Roots): Promise<void> {
    const chunk = await this.files.write(version, snapshotChunks(roots));
    await this.db.put(
      versionKey(TAG.marker, version),
      Uint8Array.from([chunk >>> 24, (chunk >>> 16) & 255, (chunk >>> 8) & 255, chunk & 255]),
    );
    this.snapshots.push({ version, chunks: chunk });
    this.snapshots.sort((a, b) => a.version - b.version);
  }

  /** Waits for a background snapshot, if one is being written (tests, benchmarks, close). */
  async flushSnapshot(): Promise<void> {
    await this.snapshotTask;
    if (this.snapshotError !== undefined)
      throw new Error(`background snapshot failed: ${String(this.snapshotError)}`);
  }

  async snapshot(): Promise<void> {
    this.assertOpen();
    await this.flushSnapshot();
    if (this.version === 0 || this.snapshots.some((s) => s.version === this.version)) return;
    this.startSnapshot();
    await this.flushSnapshot();
  }

  private async rootsAt(version: number): Promise<Roots> {
    assertVersion(version);
    if (version > this.version)
      throw new Error(`version ${version} is in the future (latest is ${this.version})`);
    if (version < this.oldestInfo || version === 0)
      throw new Error(`version ${version} is not available (pruned or never committed)`);
    const inMemory = this.history.get(version) ?? this.rebuilt.get(version);
    if (inMemory !== undefined) return inMemory;
    const base = this.snapshotAtOrBelow(version);
    let roots = await this.loadSnapshot(base);
    for (let v = base + 1; v <= version; v++) {
      const b = await this.db.get(versionKey(TAG.changes, v));
      if (b === undefined) throw new Error(`version ${version} is not available: changeset ${v} was pruned`);
      roots = applyChanges(roots, decodeChanges(b, this.names.length), v);
    }
    await this.checkInfo(version, roots.map(rootHash));
    this.rebuilt.set(version, roots);
    while (this.rebuilt.size > 2) this.rebuilt.delete(this.rebuilt.keys().next().value as number);
    return roots;
  }

  async viewAt(version: number): Promise<MultiStore> {
    this.assertOpen();
    return new ReadOnlyMultiStore(this.names, await this.rootsAt(version));
  }

  async query(storeName: string, key: Uint8Array, version: number, prove: boolean): Promise<QueryResult> {
    this.assertOpen();
    const i = this.index.get(storeName);
    if (i === undefined) throw unknownStore(storeName, this.names);
    assertKey(key);
    assertVersion(version);
    if (this.version === 0) throw new Error('nothing has been committed yet');
    const height = version === 0 ? this.version : version;
    const roots = await this.rootsAt(height);
    const root = roots[i];
    const value = treeGet(root, key);
    const result: QueryResult = { key, value, height };
    if (prove) {
      const proof =
        value !== undefined
          ? { exist: iavlExistenceProof(root, key) as NonNullable<ReturnType<typeof iavlExistenceProof>> }
          : { nonexist: iavlNonExistenceProof(root, key) };
      const stores = this.names.map((name, j) => ({ name, hash: rootHash(roots[j]) }));
      const ops: ProofOp[] = [
        { type: 'ics23:iavl', key, data: encodeCommitmentProof(proof) },
        {
          type: 'ics23:simple',
          key: utf8.encode(storeName),
          data: encodeCommitmentProof({ exist: multistoreProof(stores, storeName) }),
        },
      ];
      result.proofOps = ops;
    }
    return result;
  }

  async availableVersions(): Promise<number[]> {
    this.assertOpen();
    const out: number[] = [];
    for (let v = Math.max(1, this.oldestInfo); v <= this.version; v++) out.push(v);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.snapshotTask;
    await this.db.close();
    // Let the trees go even if someone still holds this closed store.
    this.history.clear();
    this.rebuilt.clear();
    this.workingState = undefined;
    this.roots = this.names.map(() => undefined);
    for (const c of this.working) {
      c.discard();
      c.rebase(new TreeView(undefined));
    }
  }
}

function countLeaves(roots: Roots): number {
  let n = 0;
  for (const r of roots) n += r?.size ?? 0;
  return n;
}

function applyChanges(roots: Roots, changes: readonly (readonly WriteOp[])[], version: number): Roots {
  return roots.map((r, i) => {
    const ops = changes[i] as readonly WriteOp[];
    return ops.length === 0 ? r : new Mutator(version).apply(r, ops);
  });
}
