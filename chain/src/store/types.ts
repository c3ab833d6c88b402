/**
 * The store's public contract. The state machine (`chain/src/app`) sees only these
 * interfaces: every read and write is synchronous against the in-memory working tree, and
 * only the boundaries (opening, commit, historical views, proofs) are asynchronous.
 */

/** A byte-keyed, byte-valued store with ordered iteration. Keys compare bytewise. */
export interface KVStore {
  /** The returned bytes (here and from iterators) are shared with the store: do not modify them. */
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  /**
   * The store keeps `value` itself, not a copy (as the Cosmos SDK's stores do): do not modify
   * it afterwards. Every writer in the app encodes a fresh value per write.
   */
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** Ascending over [start, end); an undefined bound is open. */
  iterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]>;
  /** Descending over [start, end); an undefined bound is open. */
  reverseIterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]>;
}

/** Buffered writes over a parent store: `write()` flushes them to the parent, dropping the
 * cache discards them. Reads and iteration see the buffered writes merged over the parent. */
export interface CacheKVStore extends KVStore {
  write(): void;
}

/** A set of named module stores, read and written together. */
export interface MultiStore {
  /** Throws for a store name that was not registered. */
  getKVStore(name: string): KVStore;
  storeNames(): readonly string[];
}

/** A branch of a multistore (per block, per tx): nested branches write into their parent. */
export interface CacheMultiStore extends MultiStore {
  write(): void;
  cacheMultiStore(): CacheMultiStore;
}

export interface CommitId {
  version: number;
  /** The app hash: simple merkle root over (store name, store root hash) pairs. */
  hash: Uint8Array;
}

/** One proof op as CometBFT's `crypto.ProofOp` carries it (`ics23:iavl`, `ics23:simple`). */
export interface ProofOp {
  type: string;
  key: Uint8Array;
  /** A protobuf-encoded ics23 `CommitmentProof`. */
  data: Uint8Array;
}

export interface QueryResult {
  key: Uint8Array;
  value: Uint8Array | undefined;
  height: number;
  /** Present when a proof was asked for: [module store proof, multistore proof]. */
  proofOps?: ProofOp[];
}

export interface CommitMultiStoreOptions {
  /** Module store names; the set is fixed for the life of the database. */
  storeNames: readonly string[];
  /** Versions to keep besides the latest; 0 keeps every version. */
  keepRecent: number;
}

/** The root multistore: one IAVL tree per module store, persisted in LevelDB. */
export interface CommitMultiStore extends MultiStore {
  /** The last committed version and app hash (version 0 and the empty hash when new). */
  lastCommitId(): CommitId;
  /** A branch over the working (uncommitted) state. */
  cacheMultiStore(): CacheMultiStore;
  /** Hash the working state without persisting it (for FinalizeBlock's app hash). */
  workingHash(): Uint8Array;
  /** Persist the working state as version lastCommitId().version + 1 in one atomic batch. */
  commit(): Promise<CommitId>;
  /** A read-only view of a retained committed version; throws for a pruned or future one. */
  viewAt(version: number): Promise<MultiStore>;
  /** Raw key query at a committed version, with ICS23 proofs when `prove` is set. */
  query(storeName: string, key: Uint8Array, version: number, prove: boolean): Promise<QueryResult>;
  /** Versions still readable, ascending. */
  availableVersions(): Promise<number[]>;
  close(): Promise<void>;
}
