/**
 * Issue "Hearth node II" done-when, on a real 4-validator localnet (4 `hearth start` processes
 * over loopback p2p, equal voting power): every node reports the same block hash and app hash
 * at every height; `kill -9` of one validator under a steady tx load keeps the chain committing
 * and the restarted validator block-syncs, rejoins and signs again; killing two of four halts
 * the chain and restarting them resumes it with no fork; a validator made to equivocate is
 * caught as duplicate-vote evidence in a committed block, and x/slashing jails and tombstones it.
 *
 * The steps share one localnet and run in order (each leaves all four nodes running).
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import secp256k1 from 'secp256k1';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  account,
  type BlockInfo,
  block,
  blockResults,
  broadcastSync,
  commit,
  deterministicKey,
  freeBasePort,
  height,
  keyFromMnemonic,
  LocalNet,
  msgMultiSend,
  msgSend,
  type Sender,
  SteadyLoad,
  scrapeMetrics,
  signingInfo,
  signTx,
  sleep,
  stakingValidator,
  txHash,
  valconsOf,
  validatorSet,
  valoperOf,
  waitFor,
} from './networkKit.js';

const ALL = [0, 1, 2, 3];

/** Protobuf varint, written here independently of the encoder under test. */
function varint(v: bigint): number[] {
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): number[] {
  return [(field << 3) | 2, ...varint(BigInt(bytes.length)), ...bytes];
}

describe('networkKit tx encoding', () => {
  it('64-bit values from 2^31 to 2^63-1 survive in the signed tx (sequence, gas, account number)', () => {
    const key = deterministicKey('network-test-encoding');
    for (const v of [2n ** 31n, 2n ** 32n + 5n, 2n ** 53n + 1n, 2n ** 63n - 1n]) {
      const raw = TxRaw.decode(
        signTx(key, [msgSend(key.address, key.address, v, 'uhth')], {
          chainId: 'enc-test',
          accountNumber: v,
          sequence: v,
          gasLimit: v,
          fee: v,
          denom: 'uhth',
        }),
      );
      const auth = AuthInfo.decode(raw.authInfoBytes);
      expect(auth.signerInfos[0]?.sequence).toBe(v);
      expect(auth.fee?.gasLimit).toBe(v);
      expect(auth.fee?.amount[0]?.amount).toBe(v.toString());
      const body = TxBody.decode(raw.bodyBytes);
      expect(MsgSend.decode(body.messages[0]!.value).amount[0]?.amount).toBe(v.toString());
      // The signature covers a SignDoc whose account number is v (SignDoc built by hand here).
      const signDoc = Uint8Array.from([
        ...lengthDelimited(1, raw.bodyBytes),
        ...lengthDelimited(2, raw.authInfoBytes),
        ...lengthDelimited(3, new TextEncoder().encode('enc-test')),
        4 << 3,
        ...varint(v),
      ]);
      const digest = createHash('sha256').update(signDoc).digest();
      expect(secp256k1.ecdsaVerify(raw.signatures[0]!, digest, key.pub)).toBe(true);
    }
  });
});

async function heights(net: LocalNet, nodes: number[]): Promise<bigint[]> {
  return Promise.all(nodes.map((i) => height(net.rpc(i))));
}

/** Waits until every node in `nodes` has committed `target`. */
async function reach(net: LocalNet, nodes: number[], target: bigint, ms = 40_000): Promise<void> {
  for (const i of nodes)
    await waitFor(
      `node${i} at height ${target}`,
      async () => ((await height(net.rpc(i))) >= target ? true : undefined),
      ms,
    );
}

/**
 * Every height in [from, to] on every node: the same block hash and header app hash, and the
 * same block_results app hash, which must be the app hash in the next block's header.
 */
async function expectSameChain(net: LocalNet, nodes: number[], from: bigint, to: bigint): Promise<void> {
  let prev: BlockInfo[] | undefined;
  for (let h = from; h <= to + 1n; h++) {
    const blocks = await Promise.all(nodes.map((i) => block(net.rpc(i), h)));
    const b0 = blocks[0]!;
    for (const [k, b] of blocks.entries()) {
      expect(b.hash, `block hash at ${h} on node${nodes[k]}`).toBe(b0.hash);
      expect(b.appHash, `header app hash at ${h} on node${nodes[k]}`).toBe(b0.appHash);
    }
    if (prev && h - 1n >= from) {
      const results = await Promise.all(nodes.map((i) => blockResults(net.rpc(i), h - 1n)));
      for (const [k, r] of results.entries())
        expect(r.appHash, `app hash after executing ${h - 1n} on node${nodes[k]}`).toBe(b0.appHash);
    }
    prev = blocks;
  }
}

/** Restarts nodes an earlier failed step left down, so that each step checks its own claim. */
async function restartStopped(net: LocalNet): Promise<void> {
  for (let i = 0; i < net.size; i++) if (!net.running(i)) await net.restart(i);
  const top = await height(net.rpc(0));
  await reach(net, ALL, top);
}

/** Txs (hashes) of blocks [from, to] as seen by node i. */
async function txsIn(net: LocalNet, i: number, from: bigint, to: bigint): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (let h = from; h <= to; h++)
    for (const t of (await block(net.rpc(i), h)).txs) out.set(txHash(Buffer.from(t, 'base64')), h);
  return out;
}

describe('4-validator localnet under faults', () => {
  let net: LocalNet | undefined;
  const dir = join(tmpdir(), `hearth-e2e-network-${process.pid}-${Date.now()}`);

  beforeAll(async () => {
    const base = await freeBasePort(43_000, 4);
    net = await LocalNet.start({ dir, validators: 4, basePort: base });
  }, 120_000);

  let failed = false;
  beforeEach((ctx) => {
    ctx.onTestFailed(() => {
      failed = true;
    });
  });

  afterAll(async () => {
    // After a failure (or with HEARTH_KEEP_E2E=1) the homes and logs stay for a post-mortem.
    const keep = failed || process.env.HEARTH_KEEP_E2E === '1';
    if (net && failed)
      for (let i = 0; i < net.size; i++)
        console.error(
          `--- node${i} (${net.running(i) ? 'running' : 'not running'}), end of its log:\n${net.log(i).slice(-3000)}`,
        );
    await net?.close(keep);
    if (keep) console.error(`localnet kept in ${dir}`);
  }, 60_000);

  const get = (): LocalNet => {
    if (!net) throw new Error('the localnet did not start (see beforeAll)');
    return net;
  };

  it('all four nodes report the same block hash and app hash at every height', async () => {
    const n = get();
    const vals = await validatorSet(n.rpc(0));
    expect(vals.map((v) => v.address).sort()).toEqual(n.manifest.nodes.map((x) => x.validatorAddress).sort());
    const target = (await height(n.rpc(0))) + 3n;
    await reach(n, ALL, target + 1n);
    await expectSameChain(n, ALL, 1n, target);
  }, 90_000);

  it('kill -9 of one validator under a steady tx load: the chain keeps committing; the validator block-syncs, rejoins and signs again', async () => {
    const n = get();
    const m = n.manifest;
    const byName = (name: string) => {
      const a = m.accounts.find((x) => x.name === name);
      if (!a) throw new Error(`no dev account ${name} in localnet.json`);
      return a;
    };
    const senders: Sender[] = [];
    for (const name of ['alice', 'bob', 'carol']) {
      const key = await keyFromMnemonic(byName(name).mnemonic);
      expect(key.address).toBe(byName(name).address);
      const acc = await account(n.rpc(0), key.address);
      senders.push({ key, accountNumber: acc.number, sequence: acc.sequence });
    }
    const victim = 3;
    const up = new Set(ALL);
    const load = new SteadyLoad({
      chainId: m.chainId,
      denom: m.denom,
      senders,
      to: byName('dave').address,
      rate: 10,
      targets: () => [...up].map((i) => n.rpc(i)),
    });
    load.start();
    try {
      await sleep(3000);
      up.delete(victim);
      await n.kill(victim, 'SIGKILL');
      const hKill = await height(n.rpc(0));

      // Three of four equal powers are more than 2/3: blocks keep coming, with the load's txs.
      await reach(n, [0, 1, 2], hKill + 4n);
      const hDown = await height(n.rpc(0));
      const during = await txsIn(n, 0, hKill + 1n, hDown);
      expect(
        during.size,
        `txs committed in blocks ${hKill + 1n}..${hDown} while node3 was down`,
      ).toBeGreaterThan(0);
      // Operators see it in CometBFT's metrics: one validator (a quarter of the power) missing.
      const seen = await scrapeMetrics(n.node(0).prometheus);
      expect(seen.get('cometbft_consensus_missing_validators'), 'missing validators on node0').toBe(1);
      // Three of four equal powers sign, so all three must be in every commit.
      expect(seen.get('cometbft_consensus_missing_validators_power')).toBeGreaterThan(0);
      expect(seen.get('cometbft_consensus_latest_block_height')).toBeGreaterThanOrEqual(Number(hKill + 4n));

      const restartFrom = n.logSize(victim);
      await n.restart(victim);
      up.add(victim);
      const hRestart = await height(n.rpc(0));

      // Block sync first (it missed several blocks), then consensus at the head of the chain.
      const synced = await waitFor(
        'node3 to finish block sync',
        async () => {
          const log = n.log(victim, restartFrom);
          return /\[blocksync\] blocksync caught up.*blocks_synced=([0-9]+)/.exec(log) ?? undefined;
        },
        60_000,
      );
      expect(Number(synced[1]), 'blocks fetched by block sync').toBeGreaterThan(0);
      expect(n.log(victim, restartFrom)).toMatch(/block sync done; switching to consensus/);
      await reach(n, [victim], hRestart + 1n, 60_000);

      // Its precommits are in the commits of later blocks again.
      const addr = n.node(victim).validatorAddress;
      const signedAt = await waitFor(
        'a commit signed by node3 after its restart',
        async () => {
          const top = await height(n.rpc(0));
          for (let h = hRestart + 1n; h <= top; h++) {
            const c = await commit(n.rpc(0), h);
            if (c.sigs.some((s) => s.address === addr && s.flag === 2)) return h;
          }
          return undefined;
        },
        60_000,
      );
      expect(signedAt).toBeGreaterThan(hRestart);
      const back = await scrapeMetrics(n.node(victim).prometheus);
      expect(back.get('cometbft_blocksync_syncing'), 'node3 block syncing').toBe(0);
      expect(back.get('cometbft_p2p_peers'), 'node3 peers').toBeGreaterThanOrEqual(2);
    } finally {
      await load.stop();
    }

    // Every tx that a surviving node accepted is committed (those accepted only by node3 just
    // before the kill may be lost with its mempool).
    const survivors = new Set(load.accepted.filter((a) => a.node !== n.rpc(victim)).map((a) => a.hash));
    expect(survivors.size, 'txs accepted by the surviving nodes').toBeGreaterThan(20);
    const hEnd = (await height(n.rpc(0))) + 3n;
    await reach(n, ALL, hEnd);
    const committed = await txsIn(n, 0, 1n, hEnd);
    const missing = [...survivors].filter((h) => !committed.has(h));
    expect(missing, 'accepted txs never committed').toEqual([]);
  }, 180_000);

  it('killing two of four halts the chain; restarting them resumes it with no fork', async () => {
    const n = get();
    await restartStopped(n);
    const down = [1, 2];
    const alive = [0, 3];
    await Promise.all(down.map((i) => n.kill(i, 'SIGKILL')));
    // A block whose precommits were already out may still commit; after that, nothing.
    await sleep(2500);
    const halted = await heights(n, alive);
    await sleep(5000);
    expect(await heights(n, alive), 'heights of node0 and node3 with two validators down').toEqual(halted);

    await Promise.all(down.map((i) => n.restart(i)));
    let top = 0n;
    for (const h of halted) if (h > top) top = h;
    await reach(n, ALL, top + 3n, 90_000);
    await expectSameChain(n, ALL, 1n, top + 2n);
  }, 180_000);

  it('a validator made to equivocate is caught as evidence in a committed block, then jailed and tombstoned', async () => {
    const n = get();
    await restartStopped(n);
    const culprit = 2;
    const addr = n.node(culprit).validatorAddress;
    const operator = valoperOf(n.manifest.accounts.find((a) => a.name === `validator-${culprit}`)!.address);
    expect((await stakingValidator(n.rpc(0), operator)).jailed).toBe(false);

    await n.kill(culprit, 'SIGTERM');
    const from = await height(n.rpc(0));
    const logFrom = n.logSize(culprit);
    await n.restart(culprit, ['--unsafe-test-equivocate']);

    const found = await waitFor(
      'duplicate-vote evidence against node2 in a committed block',
      async () => {
        const top = await height(n.rpc(0));
        for (let h = from + 1n; h <= top; h++) {
          const b = await block(n.rpc(0), h);
          const ev = b.evidence.find(
            (e) =>
              e.type === 'tendermint/DuplicateVoteEvidence' && e.value.vote_a?.validator_address === addr,
          );
          if (ev) return b;
        }
        return undefined;
      },
      90_000,
    );
    expect(n.log(culprit, logFrom)).toMatch(/signed a conflicting prevote/);
    // Every node has the same block with the same evidence.
    await reach(n, [0, 1, 3], found.height);
    for (const i of [1, 3]) expect((await block(n.rpc(i), found.height)).hash).toBe(found.hash);

    // x/slashing: the double-signer is jailed for good and leaves the validator set.
    await waitFor(
      'node2 to leave the CometBFT validator set',
      async () => ((await validatorSet(n.rpc(0))).some((v) => v.address === addr) ? undefined : true),
      30_000,
    );
    const v = await stakingValidator(n.rpc(0), operator);
    expect(v.jailed).toBe(true);
    const info = await signingInfo(n.rpc(0), valconsOf(addr));
    expect(info.tombstoned).toBe(true);
    // The three honest validators carry on, and all four nodes (node2 now a mere full node)
    // still hold one chain, evidence blocks included.
    const h = await height(n.rpc(0));
    await reach(n, ALL, h + 2n);
    await expectSameChain(n, ALL, 1n, h + 1n);
  }, 180_000);
});

/**
 * A block larger than 1 MiB (consensus max_bytes is 21 MiB) must go through the consensus WAL
 * like any other: CometBFT logs a proposal's block parts (64 KiB each) under its 1 MiB record
 * limit. Found by the network benchmark, where blocks of ~5,000 bank sends log
 * "consensus effect failed effect=persistWal err=WAL record too big".
 */
describe('a block over 1 MiB on a 1-validator localnet', () => {
  let net: LocalNet | undefined;
  const dir = join(tmpdir(), `hearth-e2e-bigblock-${process.pid}-${Date.now()}`);

  beforeAll(async () => {
    net = await LocalNet.start({ dir, validators: 1, basePort: await freeBasePort(47_000, 1) });
  }, 120_000);

  afterAll(async () => {
    await net?.close(process.env.HEARTH_KEEP_E2E === '1');
  }, 60_000);

  it('is committed and written to the consensus WAL without error', async () => {
    if (!net) throw new Error('the localnet did not start (see beforeAll)');
    const n = net;
    const m = n.manifest;
    const funderAccount = m.accounts.find((a) => a.name === 'validator-0');
    if (!funderAccount) throw new Error('no validator-0 in localnet.json');
    const funder = await keyFromMnemonic(funderAccount.mnemonic);
    const acc = await account(n.rpc(0), funder.address);
    const logFrom = n.logSize(0);
    let sequence = acc.sequence;
    let big: BlockInfo | undefined;
    // Two ~540 KB txs sent back to back land in one block (retried if a block boundary split them).
    for (let attempt = 0; attempt < 3 && !big; attempt++) {
      const outputs = Array.from(
        { length: 18_000 },
        (_, i) => deterministicKey(`bigblock-${attempt}-${i}`).address,
      );
      const hashes: string[] = [];
      const from = await height(n.rpc(0));
      for (const part of [outputs.slice(0, 9000), outputs.slice(9000)]) {
        const gasLimit = 2_000_000_000n;
        const tx = signTx(funder, [msgMultiSend(funder.address, part, 1n, m.denom)], {
          chainId: m.chainId,
          accountNumber: acc.number,
          sequence,
          gasLimit,
          fee: gasLimit / 40n + 1n,
          denom: m.denom,
        });
        const r = await broadcastSync(n.rpc(0), tx, 30_000);
        expect(r.code, r.log).toBe(0);
        hashes.push(r.hash);
        sequence++;
      }
      const blocks = await waitFor(
        'both big txs committed',
        async () => {
          const top = await height(n.rpc(0));
          const found: BlockInfo[] = [];
          for (let h = from + 1n; h <= top; h++) {
            const b = await block(n.rpc(0), h, 30_000);
            if (b.txs.some((t) => hashes.includes(txHash(Buffer.from(t, 'base64'))))) found.push(b);
          }
          const count = found.reduce((k, b) => k + b.txs.length, 0);
          return count >= 2 ? found : undefined;
        },
        60_000,
      );
      big = blocks.find((b) => b.txs.reduce((k, t) => k + (t.length * 3) / 4, 0) > 1_048_576);
    }
    expect(big, 'a committed block carrying more than 1 MiB of txs').toBeDefined();
    await reach(n, [0], big!.height + 1n);
    expect(n.log(0, logFrom)).not.toMatch(/effect=persistWal/);
  }, 180_000);
});
