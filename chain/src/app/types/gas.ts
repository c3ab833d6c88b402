/**
 * Gas metering as the Cosmos SDK's store/types/gas.go and the gaskv store: a flat cost per
 * read/write/iteration step plus a per-byte cost. Running out throws ErrOutOfGas, which the
 * tx runner turns into code 11 with the tx's writes discarded.
 */
import type { KVStore } from '../../store/types.js';
import { ErrOutOfGas } from './errors.js';

export interface GasConfig {
  hasCost: bigint;
  deleteCost: bigint;
  readCostFlat: bigint;
  readCostPerByte: bigint;
  writeCostFlat: bigint;
  writeCostPerByte: bigint;
  iterNextCostFlat: bigint;
}

/** The SDK's KVGasConfig defaults. */
export const KV_GAS_CONFIG: GasConfig = {
  hasCost: 1000n,
  deleteCost: 1000n,
  readCostFlat: 1000n,
  readCostPerByte: 3n,
  writeCostFlat: 2000n,
  writeCostPerByte: 30n,
  iterNextCostFlat: 30n,
};

export const INFINITE_GAS = -1n;

/** Totals up to this stay exact as doubles; a meter going past it switches to bigint. */
const SAFE = Number.MAX_SAFE_INTEGER;

export class GasMeter {
  /**
   * Gas used, kept as a double while it is below 2^53 (bigint arithmetic allocates on every
   * operation, and a tx meters dozens of store accesses); `big` takes over, exactly, past that.
   */
  private used = 0;
  private big: bigint | undefined;
  /** The limit as a double (-1: none); a limit beyond 2^53 cannot be reached in double mode. */
  private readonly limitN: number;

  /**
   * `limit` < 0 means no limit (simulation still counts); `track` false skips the
   * accounting entirely (genesis, begin/end block), where gas has no meaning.
   */
  constructor(
    readonly limit: bigint,
    readonly track = true,
  ) {
    this.limitN = limit < 0n ? -1 : limit > BigInt(SAFE) ? Number.POSITIVE_INFINITY : Number(limit);
  }

  consumed(): bigint {
    return this.big ?? BigInt(this.used);
  }

  remaining(): bigint {
    return this.limit < 0n ? INFINITE_GAS : this.limit - this.consumed();
  }

  consume(amount: bigint, descriptor: string): void {
    if (!this.track) return;
    if (this.big === undefined && amount <= 0xffffffffn && amount >= 0n)
      this.consumeSmall(Number(amount), descriptor);
    else this.consumeBig(amount, descriptor);
  }

  /** `consume` for a non-negative integer cost given as a number (the KV store's costs). */
  consumeSmall(amount: number, descriptor: string): void {
    if (!this.track) return;
    if (this.big !== undefined || this.used + amount > SAFE) {
      this.consumeBig(BigInt(amount), descriptor);
      return;
    }
    this.used += amount;
    if (this.limitN >= 0 && this.used > this.limitN) this.outOfGas(descriptor);
  }

  private consumeBig(amount: bigint, descriptor: string): void {
    this.big = (this.big ?? BigInt(this.used)) + amount;
    if (this.limit >= 0n && this.big > this.limit) this.outOfGas(descriptor);
  }

  private outOfGas(descriptor: string): never {
    throw ErrOutOfGas.wrap(
      `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.consumed()}`,
    );
  }

  /** Reported gas used is capped at the limit, as the SDK reports an out-of-gas tx. */
  reportedUsed(): bigint {
    const used = this.consumed();
    return this.limit >= 0n && used > this.limit ? this.limit : used;
  }
}

/** A GasConfig as doubles (every cost is far below 2^32), converted once per config object. */
interface NumericGasConfig {
  hasCost: number;
  deleteCost: number;
  readCostFlat: number;
  readCostPerByte: number;
  writeCostFlat: number;
  writeCostPerByte: number;
  iterNextCostFlat: number;
}
const numericConfigs = new WeakMap<GasConfig, NumericGasConfig>();
function numeric(cfg: GasConfig): NumericGasConfig {
  let n = numericConfigs.get(cfg);
  if (n === undefined) {
    const num = (v: bigint, name: string) => {
      if (v < 0n || v > 0xffffn) throw new RangeError(`gas config ${name} out of range: ${v}`);
      return Number(v);
    };
    n = {
      hasCost: num(cfg.hasCost, 'hasCost'),
      deleteCost: num(cfg.deleteCost, 'deleteCost'),
      readCostFlat: num(cfg.readCostFlat, 'readCostFlat'),
      readCostPerByte: num(cfg.readCostPerByte, 'readCostPerByte'),
      writeCostFlat: num(cfg.writeCostFlat, 'writeCostFlat'),
      writeCostPerByte: num(cfg.writeCostPerByte, 'writeCostPerByte'),
      iterNextCostFlat: num(cfg.iterNextCostFlat, 'iterNextCostFlat'),
    };
    numericConfigs.set(cfg, n);
  }
  return n;
}

/** A KVStore wrapper that charges every access to a gas meter. */
export class GasKVStore implements KVStore {
  private readonly cfg: NumericGasConfig;
  constructor(
    private readonly parent: KVStore,
    private readonly meter: GasMeter,
    cfg: GasConfig = KV_GAS_CONFIG,
  ) {
    this.cfg = numeric(cfg);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.meter.consumeSmall(this.cfg.readCostFlat, 'ReadFlat');
    const v = this.parent.get(key);
    this.meter.consumeSmall(this.cfg.readCostPerByte * (key.length + (v?.length ?? 0)), 'ReadPerByte');
    return v;
  }

  has(key: Uint8Array): boolean {
    this.meter.consumeSmall(this.cfg.hasCost, 'Has');
    return this.parent.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.meter.consumeSmall(this.cfg.writeCostFlat, 'WriteFlat');
    this.meter.consumeSmall(this.cfg.writeCostPerByte * (key.length + value.length), 'WritePerByte');
    this.parent.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.meter.consumeSmall(this.cfg.deleteCost, 'Delete');
    this.parent.delete(key);
  }

  iterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.metered(this.parent.iterator(start, end));
  }

  reverseIterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.metered(this.parent.reverseIterator(start, end));
  }

  private *metered(
    it: IterableIterator<[Uint8Array, Uint8Array]>,
  ): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const entry of it) {
      this.meter.consumeSmall(this.cfg.iterNextCostFlat, 'IterNextFlat');
      this.meter.consumeSmall(this.cfg.readCostPerByte * (entry[0].length + entry[1].length), 'ValuePerByte');
      yield entry;
    }
  }
}
