/**
 * The execution context handed to keepers: the branch of state being written, the block
 * header facts (height, time, chain-id — the only sources of time and identity), the gas
 * meter and the event sink.
 */
import type { KVStore, MultiStore } from '../../store/types.js';
import { EventManager } from './events.js';
import { GasKVStore, GasMeter } from './gas.js';

export type ExecMode =
  | 'genesis'
  | 'check'
  | 'recheck'
  | 'simulate'
  | 'prepare'
  | 'process'
  | 'finalize'
  | 'query';

export interface BlockHeader {
  chainId: string;
  height: bigint;
  /** Block time in nanoseconds since the Unix epoch, from the header only. */
  timeNs: bigint;
  proposer: Uint8Array;
}

export class Context {
  constructor(
    readonly store: MultiStore,
    readonly header: BlockHeader,
    readonly mode: ExecMode,
    readonly gasMeter: GasMeter = new GasMeter(-1n, false),
    readonly events: EventManager = new EventManager(),
  ) {}

  /** A module's store, charged to this context's gas meter. */
  kvStore(name: string): KVStore {
    const s = this.store.getKVStore(name);
    return this.gasMeter.track ? new GasKVStore(s, this.gasMeter) : s;
  }

  withStore(store: MultiStore): Context {
    return new Context(store, this.header, this.mode, this.gasMeter, this.events);
  }

  withGasMeter(gasMeter: GasMeter): Context {
    return new Context(this.store, this.header, this.mode, gasMeter, this.events);
  }

  withEvents(events: EventManager): Context {
    return new Context(this.store, this.header, this.mode, this.gasMeter, events);
  }

  get isCheckTx(): boolean {
    return this.mode === 'check' || this.mode === 'recheck';
  }

  get blockTimeSeconds(): bigint {
    return this.header.timeNs / 1_000_000_000n;
  }
}
