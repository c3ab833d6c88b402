/**
 * Issue "Hearth node I" done-when: a single-validator node started with the `hearth` CLI, used by
 * unmodified CosmJS, and every block it produces checked independently from its own RPC data.
 */

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { GasPrice, QueryClient, SigningStargateClient, StargateClient } from '@cosmjs/stargate';
import { Comet38Client, connectComet } from '@cosmjs/tendermint-rpc';
import {
  blockFromJson,
  bytesEqual,
  commitFromJson,
  consensusParamsFromJson,
  consensusParamsHash,
  dataHash,
  headerHash,
  hexToBytes,
  lastResultsHash,
  ValidatorSet,
  validatorFromJson,
} from '@hearth/chain/node/types/index';
import { providerV1, setupHearthExtension } from '@hearth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEARTH,
  hearth,
  ROOT,
  type RunningNode,
  rpcCall,
  setConfig,
  startNode,
  tempHome,
  waitFor,
} from './helpers.js';

const MNEMONIC =
  'surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put';
const CHAIN_ID = 'hearth-e2e-1';

describe('single-validator node through unmodified CosmJS', () => {
  let home: string;
  let node: RunningNode;
  let wallet: DirectSecp256k1HdWallet;
  let alice: string;
  const bob = 'hearth1j3a5xvmu3mq3ed6yl8jjadhyzacetcrmqlynte';

  beforeAll(async () => {
    home = tempHome('hearth-e2e-');
    wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: 'hearth' });
    alice = (await wallet.getAccounts())[0]!.address;
    await hearth(['init', 'solo', '--chain-id', CHAIN_ID, '--home', home]);
    await hearth(['genesis', 'add-account', alice, '1000000000uhth', '--home', home]);
    setConfig(home, {
      'rpc.laddr': '"tcp://127.0.0.1:0"',
      'p2p.laddr': '"tcp://127.0.0.1:0"',
      'hearth.minimum_gas_prices': '"0.025uhth"',
    });
    node = await startNode(home);
    // CosmJS's status decoder needs a latest block hash: wait for the first block.
    await waitFor('the first block', async () => {
      const st = await rpcCall<{ sync_info: { latest_block_height: string } }>(node.rpc, 'status');
      return Number(st.sync_info.latest_block_height) >= 1 ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    if (node) expect(await node.stop()).toBe(0);
    rmSync(home, { recursive: true, force: true });
  });

  it('serves StargateClient queries and signed sends with fee "auto"', async () => {
    const comet = await connectComet(node.rpc);
    expect(comet).toBeInstanceOf(Comet38Client);
    const client = await StargateClient.create(comet);
    expect(await client.getChainId()).toBe(CHAIN_ID);
    await waitFor('height 2', async () => ((await client.getHeight()) >= 2 ? true : undefined));
    expect((await client.getBalance(alice, 'uhth')).amount).toBe('1000000000');
    const account = await client.getAccount(alice);
    expect(account?.address).toBe(alice);
    expect(account?.accountNumber).toBe(0n);
    expect(await client.getAccount(bob)).toBeNull();
    const block = await client.getBlock(1);
    expect(block.header.chainId).toBe(CHAIN_ID);
    expect(block.header.height).toBe(1);

    const signer = await SigningStargateClient.createWithSigner(comet, wallet, {
      gasPrice: GasPrice.fromString('0.025uhth'),
    });
    const result = await signer.sendTokens(
      alice,
      bob,
      [{ denom: 'uhth', amount: '4242' }],
      'auto',
      'hello hearth',
    );
    expect(result.code, result.rawLog).toBe(0);
    expect((await client.getBalance(bob, 'uhth')).amount).toBe('4242');

    const tx = await client.getTx(result.transactionHash);
    expect(tx?.height).toBe(result.height);
    expect(tx?.code).toBe(0);
    const found = await client.searchTx(`message.sender='${alice}'`);
    expect(found.map((t) => t.hash)).toContain(result.transactionHash);
    const byHeight = await client.searchTx(`tx.height=${result.height}`);
    expect(byHeight.map((t) => t.hash)).toContain(result.transactionHash);
    signer.disconnect();
  }, 60_000);

  it('delivers consecutive blocks to subscribeNewBlock', async () => {
    const comet = await connectComet(node.rpc.replace('http://', 'ws://'));
    const heights: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = comet.subscribeNewBlock().subscribe({
        next: (b) => {
          heights.push(b.header.height);
          if (heights.length === 3) {
            sub.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    comet.disconnect();
    expect(heights[1]).toBe(heights[0]! + 1);
    expect(heights[2]).toBe(heights[0]! + 2);
  }, 30_000);

  it('every block checks out independently against its own RPC data', async () => {
    type J = Record<string, any>;
    const status = await rpcCall<J>(node.rpc, 'status');
    const latest = Number(status.sync_info.latest_block_height);
    expect(latest).toBeGreaterThanOrEqual(3);
    for (let h = 1; h < latest; h++) {
      const res = await rpcCall<J>(node.rpc, 'block', { height: String(h) });
      const block = blockFromJson(res.block);
      expect(bytesEqual(headerHash(block.header), hexToBytes(res.block_id.hash)), `header hash at ${h}`).toBe(
        true,
      );
      expect(bytesEqual(dataHash(block.data.txs), block.header.dataHash)).toBe(true);
      const vals = await rpcCall<J>(node.rpc, 'validators', { height: String(h) });
      const set = ValidatorSet.fromExisting(vals.validators.map(validatorFromJson));
      expect(bytesEqual(set.hash(), block.header.validatorsHash), `validators hash at ${h}`).toBe(true);
      const params = await rpcCall<J>(node.rpc, 'consensus_params', { height: String(h) });
      expect(
        bytesEqual(
          consensusParamsHash(consensusParamsFromJson(params.consensus_params)),
          block.header.consensusHash,
        ),
      ).toBe(true);
      const commit = await rpcCall<J>(node.rpc, 'commit', { height: String(h) });
      const c = commitFromJson(commit.signed_header.commit);
      set.verifyCommit(CHAIN_ID, c.blockId, BigInt(h), c);
      if (h > 1) {
        const prev = await rpcCall<J>(node.rpc, 'block_results', { height: String(h - 1) });
        const results = (prev.txs_results ?? []).map((r: J) => ({
          code: r.code,
          data: Buffer.from(r.data ?? '', 'base64'),
          gasWanted: BigInt(r.gas_wanted),
          gasUsed: BigInt(r.gas_used),
        }));
        expect(
          bytesEqual(lastResultsHash(results), block.header.lastResultsHash),
          `last results hash at ${h}`,
        ).toBe(true);
      }
    }
  }, 60_000);

  it('the hearth CLI sends and queries through the same RPC', async () => {
    const env = { ...process.env, HEARTH_KEYRING_PASSPHRASE: 'e2e passphrase' };
    const cli = (args: string[], input?: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [HEARTH, ...args], { cwd: ROOT, env });
        let out = '';
        let err = '';
        child.stdout.on('data', (b) => (out += b));
        child.stderr.on('data', (b) => (err += b));
        child.on('exit', (code) =>
          code === 0 ? resolve(out) : reject(new Error(`hearth ${args.join(' ')}: ${err}`)),
        );
        child.stdin.end(input ?? '');
      });
    await cli(['keys', 'add', 'alice', '--recover', '--home', home], `${MNEMONIC}\n`);
    const sent = JSON.parse(
      await cli(['tx', 'send', 'alice', bob, '777uhth', '--home', home, '--node', node.rpc]),
    );
    expect(sent.code).toBe(0);
    const balances = JSON.parse(await cli(['query', 'balances', bob, '--node', node.rpc])) as {
      denom: string;
      amount: string;
    }[];
    expect(BigInt(balances.find((b) => b.denom === 'uhth')!.amount)).toBe(4242n + 777n);
    await expect(cli(['query', 'balances', 'not-an-address', '--node', node.rpc])).rejects.toThrow(/invalid/);

    // Any Hearth message from JSON, and any Hearth query: a tenant's or provider's whole workflow.
    const created = JSON.parse(
      await cli([
        'tx',
        'msg',
        'alice',
        'provider.MsgCreateProvider',
        JSON.stringify({
          owner: alice,
          hostUri: 'https://provider.example.com',
          attributes: [{ key: 'region', value: 'eu-west' }],
          info: { email: 'ops@example.com', website: 'https://example.com' },
        }),
        '--home',
        home,
        '--node',
        node.rpc,
      ]),
    );
    expect(created.code).toBe(0);
    const found = JSON.parse(
      await cli([
        'query',
        'hearth',
        'provider.Provider',
        JSON.stringify({ owner: alice }),
        '--node',
        node.rpc,
      ]),
    );
    expect(found.provider).toMatchObject({
      owner: alice,
      hostUri: 'https://provider.example.com',
      attributes: [{ key: 'region', value: 'eu-west' }],
      status: 'PROVIDER_STATUS_ACTIVE',
    });
    // The same provider through the SDK's typed queries, as a dApp reads it.
    const comet = await connectComet(node.rpc);
    try {
      const q = QueryClient.withExtensions(comet, setupHearthExtension);
      const { provider } = await q.hearth.provider.provider({ owner: alice });
      expect(provider?.hostUri).toBe('https://provider.example.com');
      expect(provider?.status).toBe(providerV1.ProviderStatus.PROVIDER_STATUS_ACTIVE);
      const { providers } = await q.hearth.provider.providers({});
      expect(providers.map((p) => p.owner)).toContain(alice);
      await expect(q.hearth.provider.provider({ owner: 'hearth1nope' })).rejects.toThrow(
        /invalid owner address/,
      );
    } finally {
      comet.disconnect();
    }
    // The chain's refusal, a typo in a field and an unknown query are errors, not silent no-ops.
    await expect(
      cli([
        'tx',
        'msg',
        'alice',
        'provider.MsgCreateProvider',
        JSON.stringify({ owner: alice, hostUri: 'https://provider.example.com' }),
        '--home',
        home,
        '--node',
        node.rpc,
      ]),
    ).rejects.toThrow(/provider already exists/);
    await expect(
      cli([
        'tx',
        'msg',
        'alice',
        'provider.MsgDeleteProvider',
        '{"ownr":"x"}',
        '--home',
        home,
        '--node',
        node.rpc,
      ]),
    ).rejects.toThrow(/unknown field\(s\) "ownr"/);
    await expect(cli(['query', 'hearth', 'market.Nope', '--node', node.rpc])).rejects.toThrow(
      /unknown query/,
    );
  }, 90_000);
});
