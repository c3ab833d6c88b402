/**
 * The RPC routes of CometBFT v0.38 (`rpc/core/routes.go`) and their handlers, written after
 * `rpc/core/{blocks,tx,abci,mempool,status,net,consensus,events}.go`: the same defaults, height
 * checks, pagination and error texts. Each handler returns the `result` JSON value; errors are
 * thrown (`RpcError` as is, anything else becomes -32603 with its message as `data`).
 */
import { parseQuery } from '../events/index.js';
import { pageWindow, validatePerPage } from '../indexer/index.js';
import { bytesToHex, txHash } from '../types/index.js';
import type { RpcBackend } from './backend.js';
import {
  abciInfoToJson,
  abciQueryToJson,
  blockMetaToJson,
  blockResultsToJson,
  blockResultToJson,
  broadcastResultToJson,
  commitResultToJson,
  consensusParamsResultToJson,
  type Json,
  netInfoToJson,
  statusToJson,
  txProofToJson,
  txResultFullToJson,
  txToJson,
  unconfirmedTxsToJson,
  validatorsResultToJson,
} from './encode.js';
import { internalError, invalidParams } from './errors.js';
import { RawJson } from './jsonText.js';
import type { ParamSpec, Params } from './params.js';

/** CometBFT's limit on query text (rpc/core/events.go maxQueryLength). */
export const MAX_QUERY_LENGTH = 512;
/** blockchain returns at most this many block metas. */
export const BLOCKCHAIN_LIMIT = 20n;
/** genesis_chunked's chunk size (rpc/core/env.go genesisChunkSize). */
export const GENESIS_CHUNK_SIZE = 16 * 1024 * 1024;

/** What a websocket connection offers the subscription routes. */
export interface WsSession {
  subscribe(query: string, requestId: string | number): Promise<void>;
  unsubscribe(query: string): void;
  unsubscribeAll(): void;
}

export interface CallContext {
  backend: RpcBackend;
  /** Who is calling: the remote address, unique per websocket connection. */
  clientId: string;
  /** Present on websocket connections only. */
  ws?: WsSession;
  /** The JSON-RPC id of the request being served (-1 for URI GET). */
  requestId: string | number;
  /** How long broadcast_tx_commit waits for the tx to be in a block (CometBFT: 10 s). */
  broadcastTxCommitTimeoutMs: number;
  /** The global subscription-client limit, also applied to broadcast_tx_commit. */
  maxSubscriptionClients: number;
  maxSubscriptionsPerClient: number;
}

export interface Route {
  params: readonly ParamSpec[];
  /** Only callable over the websocket (subscribe, unsubscribe, unsubscribe_all). */
  wsOnly?: boolean;
  handler(ctx: CallContext, p: Params): Promise<Json>;
}

const int = (name: string): ParamSpec => ({ name, type: 'int' });
const str = (name: string): ParamSpec => ({ name, type: 'string' });
const bytes = (name: string): ParamSpec => ({ name, type: 'bytes' });
const bool = (name: string): ParamSpec => ({ name, type: 'bool' });

const optInt = (p: Params, name: string): bigint | undefined => p[name] as bigint | undefined;
const optStr = (p: Params, name: string): string | undefined => p[name] as string | undefined;
const optBytes = (p: Params, name: string): Uint8Array | undefined => p[name] as Uint8Array | undefined;
const optBool = (p: Params, name: string): boolean => (p[name] as boolean | undefined) ?? false;

/** A page/per_page/limit argument as a JS number (out-of-range values stay out of range). */
function smallInt(v: bigint | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

function requireTx(p: Params): Uint8Array {
  const tx = optBytes(p, 'tx');
  if (tx === undefined) throw invalidParams('tx: missing');
  return tx;
}

/** rpc/core getHeight: absent means `latest`; otherwise within [base, latest]. */
export function checkHeight(latest: bigint, base: bigint, height: bigint | undefined): bigint {
  if (height === undefined) return latest;
  if (height <= 0n) throw internalError(`height must be greater than 0, but got ${height}`);
  if (height > latest) {
    throw internalError(
      `height ${height} must be less than or equal to the current blockchain height ${latest}`,
    );
  }
  if (height < base) throw internalError(`height ${height} is not available, lowest height is ${base}`);
  return height;
}

/** rpc/core filterMinMax for /blockchain. */
export function filterMinMax(
  base: bigint,
  height: bigint,
  min: bigint,
  max: bigint,
  limit: bigint,
): [bigint, bigint] {
  if (min < 0n || max < 0n) throw internalError('heights must be non-negative');
  let lo = min === 0n ? 1n : min;
  let hi = max === 0n ? height : max;
  if (height < hi) hi = height;
  if (base > lo) lo = base;
  if (hi - limit + 1n > lo) lo = hi - limit + 1n;
  if (lo > hi) throw internalError(`min height ${lo} can't be greater than max height ${hi}`);
  return [lo, hi];
}

function checkQueryLength(query: string): void {
  if (query.length > MAX_QUERY_LENGTH) throw internalError('maximum query length exceeded');
}

async function latestAndBase(b: RpcBackend): Promise<[bigint, bigint]> {
  return [b.latestHeight(), b.baseHeight()];
}

async function txProof(b: RpcBackend, height: bigint, index: number): Promise<Json> {
  const block = await b.block(height);
  if (block === undefined) throw internalError(`block at height ${height} not found for the tx proof`);
  return txProofToJson(block.block.data.txs, index);
}

async function broadcastTxCommit(ctx: CallContext, tx: Uint8Array): Promise<Json> {
  const b = ctx.backend;
  if (b.numClients() >= ctx.maxSubscriptionClients) {
    throw internalError(`max_subscription_clients ${ctx.maxSubscriptionClients} reached`);
  }
  if (b.numClientSubscriptions(ctx.clientId) >= ctx.maxSubscriptionsPerClient) {
    throw internalError(`max_subscriptions_per_client ${ctx.maxSubscriptionsPerClient} reached`);
  }
  const hash = txHash(tx);
  const query = `tm.event = 'Tx' AND tx.hash = '${bytesToHex(hash)}'`;
  let sub: ReturnType<RpcBackend['subscribe']>;
  try {
    sub = b.subscribe(ctx.clientId, query);
  } catch (e) {
    throw internalError(`failed to subscribe to tx: ${e instanceof Error ? e.message : String(e)}`);
  }
  const it = sub[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  try {
    let checkTx: Awaited<ReturnType<RpcBackend['broadcastTx']>>;
    try {
      checkTx = await b.broadcastTx(tx);
    } catch (e) {
      throw internalError(`error on broadcastTxCommit: ${e instanceof Error ? e.message : String(e)}`);
    }
    const hashHex = bytesToHex(hash);
    if (checkTx.code !== 0) {
      return {
        check_tx: txResultFullToJson(checkTx),
        tx_result: txResultFullToJson({
          code: 0,
          data: new Uint8Array(),
          log: '',
          info: '',
          gasWanted: 0n,
          gasUsed: 0n,
          events: [],
          codespace: '',
        }),
        hash: hashHex,
        height: '0',
      };
    }
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ctx.broadcastTxCommitTimeoutMs);
    });
    let next: IteratorResult<Awaited<ReturnType<typeof it.next>>['value']> | 'timeout';
    try {
      next = await Promise.race([it.next(), timeout]);
    } catch (e) {
      throw internalError(
        `deliverTxSub was canceled (reason: ${e instanceof Error ? e.message : String(e)})`,
      );
    }
    if (next === 'timeout') throw internalError('timed out waiting for tx to be included in a block');
    if (next.done === true || next.value.data.type !== 'Tx') {
      throw internalError('deliverTxSub was canceled (reason: CometBFT exited)');
    }
    const ev = next.value.data.value;
    return {
      check_tx: txResultFullToJson(checkTx),
      tx_result: txResultFullToJson(ev.result),
      hash: hashHex,
      height: ev.height.toString(),
    };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    try {
      b.unsubscribe(ctx.clientId, query);
    } catch {
      // Already gone (cancelled by the bus): nothing to release.
    }
  }
}

export const ROUTES: Readonly<Record<string, Route>> = {
  // --- info API
  health: {
    params: [],
    handler: async (ctx) => {
      await ctx.backend.health();
      return {};
    },
  },
  status: { params: [], handler: async (ctx) => statusToJson(await ctx.backend.status()) },
  net_info: { params: [], handler: async (ctx) => netInfoToJson(await ctx.backend.netInfo()) },
  blockchain: {
    params: [int('minHeight'), int('maxHeight')],
    handler: async (ctx, p) => {
      const [latest, base] = await latestAndBase(ctx.backend);
      const [lo, hi] = filterMinMax(
        base,
        latest,
        optInt(p, 'minHeight') ?? 0n,
        optInt(p, 'maxHeight') ?? 0n,
        BLOCKCHAIN_LIMIT,
      );
      const metas: Json[] = [];
      for (let h = hi; h >= lo; h--) {
        const m = await ctx.backend.blockMeta(h);
        if (m !== undefined) metas.push(blockMetaToJson(m));
      }
      return { last_height: latest.toString(), block_metas: metas };
    },
  },
  genesis: {
    params: [],
    handler: async (ctx) => {
      const text = await ctx.backend.genesisJson();
      if (Buffer.byteLength(text, 'utf8') > GENESIS_CHUNK_SIZE) {
        throw internalError('genesis response is large, please use the genesis_chunked API instead');
      }
      return { genesis: new RawJson(text) };
    },
  },
  genesis_chunked: {
    params: [int('chunk')],
    handler: async (ctx, p) => {
      const data = Buffer.from(await ctx.backend.genesisJson(), 'utf8');
      const total = Math.max(1, Math.ceil(data.length / GENESIS_CHUNK_SIZE));
      if (data.length === 0) throw internalError('service configuration error, there are no chunks');
      const id = optInt(p, 'chunk') ?? 0n;
      if (id < 0n || id > BigInt(total - 1)) {
        throw internalError(`there are ${total - 1} chunks, ${id} is invalid`);
      }
      const start = Number(id) * GENESIS_CHUNK_SIZE;
      return {
        chunk: id.toString(),
        total: total.toString(),
        data: data.subarray(start, start + GENESIS_CHUNK_SIZE).toString('base64'),
      };
    },
  },
  block: {
    params: [int('height')],
    handler: async (ctx, p) => {
      const [latest, base] = await latestAndBase(ctx.backend);
      const h = checkHeight(latest, base, optInt(p, 'height'));
      return blockResultToJson(await ctx.backend.block(h));
    },
  },
  block_by_hash: {
    params: [bytes('hash')],
    handler: async (ctx, p) => {
      const hash = optBytes(p, 'hash');
      if (hash === undefined || hash.length === 0) return blockResultToJson(undefined);
      return blockResultToJson(await ctx.backend.blockByHash(hash));
    },
  },
  block_results: {
    params: [int('height')],
    handler: async (ctx, p) => {
      const [latest, base] = await latestAndBase(ctx.backend);
      const h = checkHeight(latest, base, optInt(p, 'height'));
      const r = await ctx.backend.blockResults(h);
      if (r === undefined) throw internalError(`could not find results for height #${h}`);
      return blockResultsToJson(h, r);
    },
  },
  commit: {
    params: [int('height')],
    handler: async (ctx, p) => {
      const [latest, base] = await latestAndBase(ctx.backend);
      const h = checkHeight(latest, base, optInt(p, 'height'));
      const meta = await ctx.backend.blockMeta(h);
      if (meta === undefined) return null;
      const canonical = h !== latest;
      const commit = canonical ? await ctx.backend.commit(h) : await ctx.backend.seenCommit(h);
      if (commit === undefined) throw internalError(`commit for height ${h} not found`);
      return commitResultToJson(meta.header, commit, canonical);
    },
  },
  validators: {
    params: [int('height'), int('page'), int('per_page')],
    handler: async (ctx, p) => {
      const [latest, base] = await latestAndBase(ctx.backend);
      const h = checkHeight(latest + 1n, base, optInt(p, 'height'));
      const vals = await ctx.backend.validators(h);
      if (vals === undefined) throw internalError(`could not find validator set for height #${h}`);
      const w = pageWindow(vals.length, smallInt(optInt(p, 'page')), smallInt(optInt(p, 'per_page')));
      return validatorsResultToJson(h, vals.slice(w.skip, w.skip + w.count), vals.length);
    },
  },
  consensus_params: {
    params: [int('height')],
    handler: async (ctx, p) => {
      const [latest, base] = await latestAndBase(ctx.backend);
      const h = checkHeight(latest + 1n, base, optInt(p, 'height'));
      const params = await ctx.backend.consensusParams(h);
      if (params === undefined) throw internalError(`could not find consensus params for height #${h}`);
      return consensusParamsResultToJson(h, params);
    },
  },
  tx: {
    params: [bytes('hash'), bool('prove')],
    handler: async (ctx, p) => {
      const hash = optBytes(p, 'hash') ?? new Uint8Array();
      const t = hash.length === 0 ? undefined : await ctx.backend.tx(hash);
      if (t === undefined) throw internalError(`tx (${bytesToHex(hash)}) not found`);
      return txToJson(t, optBool(p, 'prove') ? await txProof(ctx.backend, t.height, t.index) : undefined);
    },
  },
  tx_search: {
    params: [str('query'), bool('prove'), int('page'), int('per_page'), str('order_by')],
    handler: async (ctx, p) => {
      const query = optStr(p, 'query') ?? '';
      checkQueryLength(query);
      parseQuery(query);
      const res = await ctx.backend.txSearch(query, {
        page: smallInt(optInt(p, 'page')),
        perPage: smallInt(optInt(p, 'per_page')),
        orderBy: optStr(p, 'order_by') ?? '',
      });
      const prove = optBool(p, 'prove');
      const txs: Json[] = [];
      for (const t of res.txs) {
        txs.push(txToJson(t, prove ? await txProof(ctx.backend, t.height, t.index) : undefined));
      }
      return { txs, total_count: res.totalCount.toString() };
    },
  },
  block_search: {
    params: [str('query'), int('page'), int('per_page'), str('order_by')],
    handler: async (ctx, p) => {
      const query = optStr(p, 'query') ?? '';
      checkQueryLength(query);
      parseQuery(query);
      const res = await ctx.backend.blockSearch(query, {
        page: smallInt(optInt(p, 'page')),
        perPage: smallInt(optInt(p, 'per_page')),
        orderBy: optStr(p, 'order_by') ?? '',
      });
      const blocks: Json[] = [];
      for (const h of res.heights) {
        const b = await ctx.backend.block(h);
        if (b !== undefined) blocks.push(blockResultToJson(b));
      }
      return { blocks, total_count: res.totalCount.toString() };
    },
  },

  // --- tx broadcast API
  broadcast_tx_async: {
    params: [bytes('tx')],
    handler: async (ctx, p) => {
      const tx = requireTx(p);
      await ctx.backend.broadcastTxAsync(tx);
      return broadcastResultToJson(txHash(tx), { code: 0, data: new Uint8Array(), log: '', codespace: '' });
    },
  },
  broadcast_tx_sync: {
    params: [bytes('tx')],
    handler: async (ctx, p) => {
      const tx = requireTx(p);
      return broadcastResultToJson(txHash(tx), await ctx.backend.broadcastTx(tx));
    },
  },
  broadcast_tx_commit: {
    params: [bytes('tx')],
    handler: (ctx, p) => broadcastTxCommit(ctx, requireTx(p)),
  },
  check_tx: {
    params: [bytes('tx')],
    handler: async (ctx, p) => txResultFullToJson(await ctx.backend.checkTx(requireTx(p))),
  },
  num_unconfirmed_txs: {
    params: [],
    handler: async (ctx) => unconfirmedTxsToJson(await ctx.backend.unconfirmedTxs(0), false),
  },
  unconfirmed_txs: {
    params: [int('limit')],
    handler: async (ctx, p) => {
      const limit = validatePerPage(smallInt(optInt(p, 'limit')));
      return unconfirmedTxsToJson(await ctx.backend.unconfirmedTxs(limit), true);
    },
  },

  // --- ABCI API
  abci_info: { params: [], handler: async (ctx) => abciInfoToJson(await ctx.backend.abciInfo()) },
  abci_query: {
    params: [str('path'), { name: 'data', type: 'hexbytes' }, int('height'), bool('prove')],
    handler: async (ctx, p) =>
      abciQueryToJson(
        await ctx.backend.abciQuery({
          path: optStr(p, 'path') ?? '',
          data: optBytes(p, 'data') ?? new Uint8Array(),
          height: optInt(p, 'height') ?? 0n,
          prove: optBool(p, 'prove'),
        }),
      ),
  },

  // --- events API (websocket only)
  subscribe: {
    params: [str('query')],
    wsOnly: true,
    handler: async (ctx, p) => {
      if (ctx.ws === undefined) throw internalError('subscribe is only available over the websocket');
      await ctx.ws.subscribe(optStr(p, 'query') ?? '', ctx.requestId);
      return {};
    },
  },
  unsubscribe: {
    params: [str('query')],
    wsOnly: true,
    handler: async (ctx, p) => {
      if (ctx.ws === undefined) throw internalError('unsubscribe is only available over the websocket');
      const query = optStr(p, 'query') ?? '';
      ctx.ws.unsubscribe(query);
      return {};
    },
  },
  unsubscribe_all: {
    params: [],
    wsOnly: true,
    handler: async (ctx) => {
      if (ctx.ws === undefined) throw internalError('unsubscribe_all is only available over the websocket');
      ctx.ws.unsubscribeAll();
      return {};
    },
  },
};
