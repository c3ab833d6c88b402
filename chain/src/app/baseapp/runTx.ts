/**
 * Executes one tx against a branch of state, as the SDK's baseapp.runTx: decode, ante handler on
 * its own branch (kept when the messages fail, so fees and sequences are charged), then the
 * messages on a second branch that is written only when all of them succeed.
 */
import { TxMsgData } from 'cosmjs-types/cosmos/base/abci/v1beta1/abci';
import type { Any } from 'cosmjs-types/google/protobuf/any';
import { encodeProto } from '../../codec/protoWriter.js';
import { txHashOf } from '../../crypto/txHash.js';
import type { CacheMultiStore } from '../../store/types.js';
import { OldestFirst } from '../../util/oldestFirst.js';
import { addressToBech32, bytesEqual } from '../types/address.js';
import { type BlockHeader, Context } from '../types/context.js';
import { ErrTxDecode, toSdkError } from '../types/errors.js';
import * as ev from '../types/events.js';
import { type Event, EventManager, makeEvent } from '../types/events.js';
import { GasMeter } from '../types/gas.js';
import { type AnteDeps, runAnte } from './ante.js';
import type { MsgRouter } from './router.js';
import { type DecodedTx, decodeTx, type TxLimits } from './txDecoder.js';

export interface TxResult {
  code: number;
  codespace: string;
  log: string;
  data: Uint8Array;
  gasWanted: bigint;
  gasUsed: bigint;
  events: Event[];
  msgResponses: Any[];
  priority: bigint;
}

export interface TxRunner {
  router: MsgRouter;
  ante: AnteDeps;
  limits: TxLimits;
  /** Txs decoded and validated in CheckTx, reused when the same bytes arrive in a block. */
  decoded: DecodedTxCache;
}

export type Resolved = {
  tx: DecodedTx;
  msgs: ReturnType<typeof resolveMessages>['msgs'];
  signers: Uint8Array[];
};

/** A bounded cache of decoded txs by hash. Decoding is a pure function of the bytes, so reuse is safe. */
export class DecodedTxCache {
  private readonly map = new Map<string, Resolved>();
  private readonly oldest = new OldestFirst(this.map);
  constructor(private readonly capacity = 50_000) {}
  get(key: string): Resolved | undefined {
    return this.map.get(key);
  }
  set(key: string, v: Resolved): void {
    if (this.map.size >= this.capacity && !this.map.has(key)) this.oldest.evict();
    this.map.set(key, v);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

const txKeys = new WeakMap<Uint8Array, string>();

/** The cache key (hex SHA-256) of a tx, memoized by the bytes object (see txHashOf). */
export function txKeyOf(bytes: Uint8Array): string {
  let k = txKeys.get(bytes);
  if (k === undefined) {
    const h = txHashOf(bytes);
    k = Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
    txKeys.set(bytes, k);
  }
  return k;
}

function errorResult(e: unknown, gasWanted: bigint, gasUsed: bigint, events: Event[] = []): TxResult {
  const err = toSdkError(e);
  return {
    code: err.code,
    codespace: err.codespace,
    log: err.message,
    data: new Uint8Array(),
    gasWanted,
    gasUsed,
    events,
    msgResponses: [],
    priority: 0n,
  };
}

/** "cosmos.bank.v1beta1.MsgSend" -> "bank", as the SDK derives `message.module`. */
function moduleOfTypeUrl(typeUrl: string, fallback: string): string {
  const parts = typeUrl.replace(/^\//, '').split('.');
  if (parts[0] === 'cosmos' && parts.length >= 3) return parts[1]!;
  return fallback;
}

/** Decoded messages with their handlers and signers, in tx order. */
function resolveMessages(runner: TxRunner, tx: DecodedTx) {
  const msgs = tx.body.messages.map((any) => {
    const route = runner.router.route(any.typeUrl);
    // As the SDK's decoder: a type URL nobody registered cannot be unpacked, so the tx does not parse.
    if (!route) throw ErrTxDecode.wrap(`unable to resolve type URL ${any.typeUrl}`);
    let msg: unknown;
    try {
      msg = route.handler.decode(any.value);
    } catch {
      throw ErrTxDecode.wrap(`malformed ${any.typeUrl}`);
    }
    route.handler.validateBasic(msg);
    return { any, msg, ...route };
  });
  const signers: Uint8Array[] = [];
  for (const m of msgs) {
    for (const s of m.handler.signers(m.msg)) if (!signers.some((x) => bytesEqual(x, s))) signers.push(s);
  }
  return { msgs, signers };
}

export type RunMode = 'check' | 'recheck' | 'simulate' | 'finalize';

/**
 * The decoded tx with its messages and signers, from the cache or decoded now (and then cached
 * when `remember`). Throws the decode or ValidateBasic error.
 */
export function resolveTx(runner: TxRunner, txBytes: Uint8Array, txKey: string, remember: boolean): Resolved {
  const hit = runner.decoded.get(txKey);
  if (hit) return hit;
  const decoded = decodeTx(txBytes, runner.limits);
  const resolved = { tx: decoded, ...resolveMessages(runner, decoded) };
  if (remember) runner.decoded.set(txKey, resolved);
  return resolved;
}

/**
 * Runs `txBytes` on `ctx.store` (which the caller owns: the check state, a simulation branch,
 * or the block's branch). Never throws: every failure is a result with a registered code.
 */
export function runTx(
  runner: TxRunner,
  store: CacheMultiStore,
  header: BlockHeader,
  mode: RunMode,
  txBytes: Uint8Array,
  txKey = txKeyOf(txBytes),
): TxResult {
  let resolved: Resolved;
  try {
    resolved = resolveTx(runner, txBytes, txKey, mode === 'check');
  } catch (e) {
    return errorResult(e, 0n, 0n);
  }
  if (mode === 'finalize') runner.decoded.delete(txKey);
  const tx = resolved.tx;
  const simulate = mode === 'simulate';
  const gasWanted = tx.authInfo.fee!.gasLimit;
  const meter = new GasMeter(simulate ? -1n : gasWanted);

  const anteStore = store.cacheMultiStore();
  const anteEvents = new EventManager();
  const anteCtx = new Context(anteStore, header, mode, meter, anteEvents);
  let priority: bigint;
  try {
    priority = runAnte(anteCtx, tx, txKey, resolved.signers, runner.ante, simulate).priority;
  } catch (e) {
    return errorResult(e, gasWanted, meter.reportedUsed());
  }
  anteStore.write();

  // CheckTx stops after the ante handler, as the SDK's does: messages run only in blocks.
  if (mode === 'check' || mode === 'recheck') {
    return {
      code: 0,
      codespace: '',
      log: '',
      data: new Uint8Array(),
      gasWanted,
      gasUsed: meter.reportedUsed(),
      events: anteEvents.events(),
      msgResponses: [],
      priority,
    };
  }

  const msgStore = store.cacheMultiStore();
  const msgEvents: Event[] = [];
  const msgResponses: Any[] = [];
  const sender = addressToBech32(resolved.signers[0]!);
  try {
    resolved.msgs.forEach((m, i) => {
      const em = new EventManager();
      const msgCtx = new Context(msgStore, header, mode, meter, em);
      const response = m.handler.handle(msgCtx, m.msg);
      msgResponses.push(response);
      const index: [string, string] = [ev.AttributeKeyMsgIndex, String(i)];
      msgEvents.push(
        makeEvent(ev.EventTypeMessage, [
          [ev.AttributeKeyAction, m.any.typeUrl],
          [ev.AttributeKeySender, sender],
          [ev.AttributeKeyModule, moduleOfTypeUrl(m.any.typeUrl, m.module)],
          index,
        ]),
      );
      for (const e of em.events()) {
        msgEvents.push({
          type: e.type,
          attributes: [...e.attributes, { key: index[0], value: index[1], index: true }],
        });
      }
    });
  } catch (e) {
    const err = toSdkError(e);
    const detail = [`failed to execute message; message index: ${msgResponses.length}`, err.detail]
      .filter(Boolean)
      .join(': ');
    return errorResult(err.wrap(detail), gasWanted, meter.reportedUsed(), anteEvents.events());
  }
  msgStore.write();
  return {
    code: 0,
    codespace: '',
    log: '',
    data: encodeProto(TxMsgData, { data: [], msgResponses }),
    gasWanted,
    gasUsed: meter.reportedUsed(),
    events: [...anteEvents.events(), ...msgEvents],
    msgResponses,
    priority,
  };
}
