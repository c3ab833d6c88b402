/**
 * Helpers for the marketplace end-to-end test: a one-validator chain with short marketplace
 * params started through the `hearth` CLI, CosmJS signing clients for its actors, queries at a
 * chosen height through the generated `hearth.*` query clients, and the exact escrow arithmetic.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectSecp256k1HdWallet, decodeTxRaw, type EncodeObject } from '@cosmjs/proto-signing';
import {
  type DeliverTxResponse,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  type StdFee,
} from '@cosmjs/stargate';
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import { localnetEscrowParams } from '@hearth/chain/app/modules/escrow/params';
import { localnetMarketParams } from '@hearth/chain/app/modules/market/params';
import { localnetProviderParams } from '@hearth/chain/app/modules/provider/params';
import { snakeKeys } from '@hearth/chain/app/types/tsproto';
import { createHearthRegistry, escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import { QueryBalanceResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { hearth, type RunningNode, setConfig, startNode, tempHome, waitFor } from './helpers.js';

export const DENOM = 'uhth';
const DEC_ONE = 10n ** 18n;

export interface Actor {
  readonly name: string;
  readonly address: string;
  readonly pubkey: Uint8Array;
  readonly client: SigningStargateClient;
}

export interface MarketplaceChainOptions {
  chainId: string;
  /** Each actor gets `funds` uhth at genesis. */
  actors: readonly string[];
  funds: bigint;
  provider?: Partial<providerV1.Params>;
  market?: Partial<marketV1.Params>;
  escrow?: Partial<escrowV1.Params>;
  /** consensus.timeout_commit, e.g. "200ms". */
  timeoutCommit?: string;
}

export interface MarketplaceChain {
  readonly home: string;
  readonly node: RunningNode;
  readonly comet: Comet38Client;
  readonly query: QueryClient;
  readonly actors: Readonly<Record<string, Actor>>;
  readonly params: {
    provider: providerV1.Params;
    market: marketV1.Params;
    escrow: escrowV1.Params;
  };
  /** Disconnects the clients, stops the node (resolving to its exit code) and removes the home. */
  stop(): Promise<number | null>;
}

/**
 * `hearth init`, funded genesis accounts, the marketplace params (localnet values overridden
 * by `opts`) written into `app_state`, loopback ports 0, then `hearth start`; resolves once
 * block 1 exists (CosmJS' status decoder needs a latest block hash).
 */
export async function startMarketplaceChain(opts: MarketplaceChainOptions): Promise<MarketplaceChain> {
  const home = tempHome('hearth-market-e2e-');
  let node: RunningNode | undefined;
  let comet: Comet38Client | undefined;
  const clients: SigningStargateClient[] = [];
  try {
    const wallets = await Promise.all(
      opts.actors.map(() => DirectSecp256k1HdWallet.generate(24, { prefix: 'hearth' })),
    );
    const accounts = await Promise.all(wallets.map(async (w) => (await w.getAccounts())[0]!));
    await hearth(['init', 'solo', '--chain-id', opts.chainId, '--home', home]);
    for (const a of accounts)
      await hearth(['genesis', 'add-account', a.address, `${opts.funds}${DENOM}`, '--home', home]);

    const params = {
      provider: { ...localnetProviderParams(), ...opts.provider },
      market: { ...localnetMarketParams(), ...opts.market },
      escrow: { ...localnetEscrowParams(), ...opts.escrow },
    };
    const genesisFile = join(home, 'config', 'genesis.json');
    const genesis = JSON.parse(readFileSync(genesisFile, 'utf8'));
    genesis.app_state.provider.params = snakeKeys(providerV1.Params.toJSON(params.provider));
    genesis.app_state.market.params = snakeKeys(marketV1.Params.toJSON(params.market));
    genesis.app_state.escrow.params = snakeKeys(escrowV1.Params.toJSON(params.escrow));
    writeFileSync(genesisFile, JSON.stringify(genesis, null, 2));

    setConfig(home, {
      'rpc.laddr': '"tcp://127.0.0.1:0"',
      'p2p.laddr': '"tcp://127.0.0.1:0"',
      'hearth.minimum_gas_prices': `"0.025${DENOM}"`,
      ...(opts.timeoutCommit ? { 'consensus.timeout_commit': `"${opts.timeoutCommit}"` } : {}),
    });
    node = await startNode(home);
    const rpc = node.rpc;
    comet = await Comet38Client.connect(rpc);
    const c = comet;
    await waitFor('the first block', async () =>
      (await c.status()).syncInfo.latestBlockHeight >= 1 ? true : undefined,
    );
    const registry = createHearthRegistry();
    const actors: Record<string, Actor> = {};
    for (const [i, name] of opts.actors.entries()) {
      const client = await SigningStargateClient.createWithSigner(c, wallets[i]!, {
        registry,
        gasPrice: GasPrice.fromString(`0.025${DENOM}`),
        broadcastPollIntervalMs: 100,
      });
      clients.push(client);
      actors[name] = { name, address: accounts[i]!.address, pubkey: accounts[i]!.pubkey, client };
    }
    const started = node;
    return {
      home,
      node: started,
      comet: c,
      query: new QueryClient(c),
      actors,
      params,
      async stop() {
        // The signing clients share `comet`; disconnecting it once ends them all.
        c.disconnect();
        const code = await started.stop();
        rmSync(home, { recursive: true, force: true });
        return code;
      },
    };
  } catch (e) {
    comet?.disconnect();
    await node?.stop();
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
}

/** The generated query clients of the three modules, answering from the state at `height` (latest when omitted). */
export function hearthQueries(q: QueryClient, height?: number) {
  const rpc = {
    request: async (service: string, method: string, data: Uint8Array) =>
      (await q.queryAbci(`/${service}/${method}`, data, height)).value,
  };
  return {
    provider: new providerV1.QueryClientImpl(rpc),
    market: new marketV1.QueryClientImpl(rpc),
    escrow: new escrowV1.QueryClientImpl(rpc),
  };
}

/** Protobuf bytes of a message made only of string fields 1..n (enough for bank queries). */
function stringFields(values: readonly string[]): Uint8Array {
  const out: number[] = [];
  values.forEach((v, i) => {
    const bytes = new TextEncoder().encode(v);
    out.push(((i + 1) << 3) | 2);
    for (let n = bytes.length; ; n >>>= 7) {
      if (n < 0x80) {
        out.push(n);
        break;
      }
      out.push((n & 0x7f) | 0x80);
    }
    out.push(...bytes);
  });
  return Uint8Array.from(out);
}

/** `address`'s balance of `denom` in the state at `height` (latest when omitted). */
export async function balanceAt(
  q: QueryClient,
  address: string,
  height?: number,
  denom = DENOM,
): Promise<bigint> {
  const res = await q.queryAbci('/cosmos.bank.v1beta1.Query/Balance', stringFields([address, denom]), height);
  return BigInt(QueryBalanceResponse.decode(res.value).balance?.amount ?? '0');
}

export async function latestHeight(comet: Comet38Client): Promise<number> {
  return (await comet.status()).syncInfo.latestBlockHeight;
}

/** Resolves once block `height` is committed (its state is queryable). */
export async function waitForHeight(comet: Comet38Client, height: number, ms = 60_000): Promise<void> {
  await waitFor(
    `height ${height}`,
    async () => ((await latestHeight(comet)) >= height ? true : undefined),
    ms,
  );
}

/** floor(rate × n) for a decimal rate string with up to 18 fractional digits. */
export function owedFloor(rate: string, n: bigint): bigint {
  const m = /^([0-9]+)(?:\.([0-9]{1,18}))?$/.exec(rate);
  if (!m) throw new Error(`not a decimal: ${rate}`);
  const scaled = BigInt(m[1]!) * DEC_ONE + BigInt((m[2] ?? '').padEnd(18, '0'));
  return (scaled * n) / DEC_ONE;
}

/** The smallest k with floor(rate × k) > deposit: the block (counted from the lease) in which the funds run out. */
export function blocksUntilDepleted(rate: string, deposit: bigint): bigint {
  let k = 1n;
  while (owedFloor(rate, k) <= deposit) k += 1n;
  return k;
}

/** The fee a committed tx paid, read back from the tx itself. */
export async function feeOf(client: SigningStargateClient, hash: string, denom = DENOM): Promise<bigint> {
  const tx = await client.getTx(hash);
  if (!tx) throw new Error(`tx ${hash} not found`);
  const fee = decodeTxRaw(tx.tx).authInfo.fee?.amount ?? [];
  return fee.filter((c) => c.denom === denom).reduce((s, c) => s + BigInt(c.amount), 0n);
}

/** The compressed secp256k1 keys that signed each tx of block `height`. */
export async function blockSigners(comet: Comet38Client, height: number): Promise<Uint8Array[][]> {
  const block = await comet.block(height);
  return block.block.txs.map((raw) =>
    decodeTxRaw(raw).authInfo.signerInfos.map((s) => {
      // The pubkey Any holds a cosmos.crypto.secp256k1.PubKey: field 1, 33 bytes.
      const v = s.publicKey?.value ?? new Uint8Array();
      return v.slice(2);
    }),
  );
}

export type EventAttrs = Record<string, string>;

/** The events of one type among a block's finalize-block events (begin/end block), attributes as a map. */
export async function blockEvents(comet: Comet38Client, height: number, type: string): Promise<EventAttrs[]> {
  const res = await comet.blockResults(height);
  return res.finalizeBlockEvents
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

/** The events of one type emitted by a delivered tx. */
export function txEvents(res: DeliverTxResponse, type: string): EventAttrs[] {
  return res.events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

/**
 * Signs and broadcasts `msgs` from `actor` and resolves with the committed result. `fee`:
 * "auto" (simulate, gas × 1.4), a number (simulate, gas × that) or an explicit fee.
 */
export function send(
  actor: Actor,
  msgs: readonly EncodeObject[],
  fee: StdFee | 'auto' | number = 'auto',
): Promise<DeliverTxResponse> {
  return actor.client.signAndBroadcast(actor.address, [...msgs], fee);
}

/** An EncodeObject for a generated Hearth message. */
export function msg<T>(
  codec: { readonly $type: string; encode(message: T): unknown },
  value: T,
): EncodeObject {
  return { typeUrl: `/${codec.$type}`, value };
}
