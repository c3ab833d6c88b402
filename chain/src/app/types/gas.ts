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

export class GasMeter {
  private used = 0n;

  /**
   * `limit` < 0 means no limit (simulation still counts); `track` false skips the
   * accounting entirely (genesis, begin/end block), where gas has no meaning.
   */
  constructor(
    readonly limit: bigint,
    readonly track = true,
  ) {}

  consumed(): bigint {
    return this.used;
  }

  remaining(): bigint {
    return this.limit < 0n ? INFINITE_GAS : this.limit - this.used;
  }

  consume(amount: bigint, descriptor: string): void {
    if (!this.track) return;
    this.used += amount;
    if (this.limit >= 0n && this.used > this.limit) {
      throw ErrOutOfGas.wrap(
        `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}`,
      );
    }
  }

  /** Reported gas used is capped at the limit, as the SDK reports an out-of-gas tx. */
  reportedUsed(): bigint {
    return this.limit >= 0n && this.used > this.limit ? this.limit : this.used;
  }
}

/** A KVStore wrapper that charges every access to a gas meter. */
export class GasKVStore implements KVStore {
  constructor(
    private readonly parent: KVStore,
    private readonly meter: GasMeter,
    private readonly cfg: GasConfig = KV_GAS_CONFIG,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    this.meter.consume(this.cfg.readCostFlat, 'ReadFlat');
    const v = this.parent.get(key);
    this.meter.consume(this.cfg.readCostPerByte * BigInt(key.length + (v?.length ?? 0)), 'ReadPerByte');
    return v;
  }

  has(key: Uint8Array): boolean {
    this.meter.consume(this.cfg.hasCost, 'Has');
    return this.parent.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.meter.consume(this.cfg.writeCostFlat, 'WriteFlat');
    this.meter.consume(this.cfg.writeCostPerByte * BigInt(key.length + value.length), 'WritePerByte');
    this.parent.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.meter.consume(this.cfg.deleteCost, 'Delete');
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
      this.meter.consume(this.cfg.iterNextCostFlat, 'IterNextFlat');
      this.meter.consume(
        this.cfg.readCostPerByte * BigInt(entry[0].length + entry[1].length),
        'ValuePerByte',
      );
      yield entry;
    }
  }
}
