/**
 * Issue "Delegated proof of stake" done-when, end to end on a 4-validator localnet through
 * unmodified CosmJS (SigningStargateClient, the default registry plus MsgUnjail, the staking /
 * distribution / slashing / bank query extensions):
 *
 * - delegate, redelegate, undelegate; the undelegated funds return after the unbonding time;
 * - withdraw rewards: the balance grows by the withdrawn amount, at least the queried rewards;
 * - a validator created by MsgCreateValidator (fresh node, fresh ed25519 key) enters the active
 *   set and its precommits appear in commits;
 * - a stopped validator is jailed and slashed for downtime; after unjail it signs again;
 * - a validator forced to double-sign is slashed and tombstoned, and a delegator's unbonding
 *   begun at or after the infraction is slashed too.
 *
 * The destructive tests run last on the same network. Every amount is checked exactly: fees are
 * read back from the txs, rewards withdrawn as a side effect from the txs' events.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, fromUtf8, toBech32 } from '@cosmjs/encoding';
import type { DeliverTxResponse } from '@cosmjs/stargate';
import { PubKey as Ed25519PubKey } from 'cosmjs-types/cosmos/crypto/ed25519/keys';
import { QueryValidatorRequest, QueryValidatorResponse } from 'cosmjs-types/cosmos/staking/v1beta1/query';
import { MsgBeginRedelegate, MsgCreateValidator } from 'cosmjs-types/cosmos/staking/v1beta1/tx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevAccounts } from '../../localnet/src/accounts.js';
import { generateLocalnet } from '../../localnet/src/setup.js';
import { tempHome, waitFor } from './helpers.js';
import {
  coinsAmount,
  consAddressHex,
  DEC_ONE,
  decAtomics,
  ed25519KeyOfAny,
  expectOk,
  feeOf,
  logTail,
  mulDecTrunc,
  POWER_REDUCTION,
  Rpc,
  type StakingNet,
  startStakingNet,
  timestampNs,
  txEvents,
  unjailMsg,
  valoperOf,
} from './stakingKit.js';

const valcons = (hex: string) => toBech32('hearthvalcons', fromHex(hex));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** waitFor that appends the node's log tail, read when it times out, to the error. */
async function waitWithLog<T>(
  what: string,
  home: string,
  f: () => Promise<T | undefined>,
  ms?: number,
): Promise<T> {
  try {
    return await waitFor(what, f, ms);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last lines of ${home}/node.log:\n${logTail(home)}`);
  }
}

/** Rewards paid to `delegator` as a side effect of a tx (withdraw_rewards events). */
function withdrawnBy(res: DeliverTxResponse, delegator: string, denom: string): bigint {
  return txEvents(res, 'withdraw_rewards')
    .filter((e) => e.delegator === delegator)
    .reduce((s, e) => s + coinsAmount(e.amount, denom), 0n);
}

describe('localnet genesis', () => {
  // The fault tests below rely on the localnet's short params (20 s unbonding, 20-block
  // liveness window, 10 s jail) being in the genesis `pnpm localnet` writes.
  it('carries the short proof-of-stake params of localnetDposAppState', async () => {
    const root = tempHome('hearth-staking-genesis-');
    try {
      const m = await generateLocalnet(
        { dir: join(root, 'net'), chainId: 'hearth-localnet-1', validators: 1, basePort: 45_000 },
        await generateDevAccounts(1),
      );
      const g = JSON.parse(readFileSync(join(m.nodes[0]!.home, 'config', 'genesis.json'), 'utf8'));
      expect(g.app_state.staking.params.unbonding_time).toBe('20s');
      expect(g.app_state.slashing.params.signed_blocks_window).toBe('20');
      expect(g.app_state.slashing.params.downtime_jail_duration).toBe('10s');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('delegated proof of stake on a 4-validator localnet through CosmJS', { timeout: 120_000 }, () => {
  let net: StakingNet;
  let denom: string;
  const coin = (amount: bigint) => ({ denom, amount: amount.toString() });

  beforeAll(async () => {
    net = await startStakingNet(4);
    denom = net.denom;
  }, 150_000);

  afterAll(async () => {
    await net?.stop();
  }, 90_000);

  /**
   * A genesis validator (first of `order`) that is bonded and not jailed. Healthy validators can
   * be jailed for downtime while the commits leave out live precommits (see the commit test).
   */
  async function pickActive(order: readonly number[], what: string): Promise<number> {
    const states: string[] = [];
    for (const i of order) {
      const v = (await net.q.staking.validator(net.valoper(i))).validator;
      if (!v.jailed && v.status === 3) return i;
      const info = (await net.q.slashing.signingInfo(valcons(net.consAddress(i)))).valSigningInfo;
      states.push(`node${i} jailed=${v.jailed} status=${v.status} missed=${info.missedBlocksCounter}`);
    }
    throw new Error(`no running, unjailed genesis validator left for ${what}: ${states.join('; ')}`);
  }

  it('runs with the localnet params and every genesis validator bonded with 100,000 HTH', async () => {
    const { params } = await net.q.staking.params();
    expect(timestampNs(params.unbondingTime)).toBe(net.params.staking.unbondingTimeNs);
    const sp = (await net.q.slashing.params()).params;
    expect(sp.signedBlocksWindow).toBe(net.params.slashing.signedBlocksWindow);
    // LegacyDec `bytes` fields carry the scaled integer's decimal digits.
    expect(decAtomics(fromUtf8(sp.slashFractionDowntime))).toBe(net.params.slashing.slashFractionDowntime);
    const set = await net.rpc.validators();
    for (let i = 0; i < 4; i++) {
      const v = (await net.q.staking.validator(net.valoper(i))).validator;
      expect(v.tokens).toBe('100000000000');
      expect(v.status).toBe(3); // BOND_STATUS_BONDED
      const cons = consAddressHex(ed25519KeyOfAny(v.consensusPubkey));
      expect(cons).toBe(net.consAddress(i));
      expect(set.get(cons)).toBe(100_000n);
    }
  });

  it('every genesis validator signs (nearly) every commit of a healthy network', async () => {
    // On loopback with a 1 s commit timeout CometBFT gathers all four precommits into the next
    // block's last commit; a commit that routinely leaves out a live validator counts as a
    // missed block for it, and with a 20-block window at 50% that can jail healthy validators.
    const h = await net.rpc.height();
    await net.rpc.waitForHeight(h + 21);
    const signed = new Map<string, number>();
    for (let height = h + 1; height <= h + 20; height++)
      for (const a of await net.rpc.commitSigners(height)) signed.set(a, (signed.get(a) ?? 0) + 1);
    for (let i = 0; i < 4; i++)
      expect(signed.get(net.consAddress(i)) ?? 0, `node${i} precommits in 20 commits`).toBeGreaterThanOrEqual(
        18,
      );
  });

  it('delegates, redelegates and undelegates; the funds return after the unbonding time', async () => {
    const bob = await net.actor('bob');
    const [v0, v1] = [net.valoper(0), net.valoper(1)];
    const DELEGATE = 3_000_000_007n; // above 2^31
    const REDELEGATE = 1_000_000_003n;
    const UNDELEGATE = 1_500_000_001n;

    let balance = await net.balance(bob.address);
    const d = expectOk(await bob.client.delegateTokens(bob.address, v0, coin(DELEGATE), 'auto'), 'delegate');
    balance = balance - DELEGATE - (await feeOf(bob.client, d.transactionHash, denom));
    expect(await net.balance(bob.address)).toBe(balance);
    expect((await net.q.staking.delegation(bob.address, v0)).delegationResponse?.balance?.amount).toBe(
      DELEGATE.toString(),
    );
    expect(
      txEvents(d, 'delegate').some((e) => e.validator === v0 && e.amount === `${DELEGATE}${denom}`),
    ).toBe(true);

    const r = expectOk(
      await bob.client.signAndBroadcast(
        bob.address,
        [
          {
            typeUrl: '/cosmos.staking.v1beta1.MsgBeginRedelegate',
            value: MsgBeginRedelegate.fromPartial({
              delegatorAddress: bob.address,
              validatorSrcAddress: v0,
              validatorDstAddress: v1,
              amount: coin(REDELEGATE),
            }),
          },
        ],
        'auto',
      ),
      'redelegate',
    );
    // Changing a delegation pays out its pending rewards.
    balance =
      balance - (await feeOf(bob.client, r.transactionHash, denom)) + withdrawnBy(r, bob.address, denom);
    expect(await net.balance(bob.address)).toBe(balance);
    expect((await net.q.staking.delegation(bob.address, v0)).delegationResponse?.balance?.amount).toBe(
      (DELEGATE - REDELEGATE).toString(),
    );
    expect((await net.q.staking.delegation(bob.address, v1)).delegationResponse?.balance?.amount).toBe(
      REDELEGATE.toString(),
    );
    const reds = await net.q.staking.redelegations(bob.address, v0, v1);
    expect(reds.redelegationResponses).toHaveLength(1);
    expect(reds.redelegationResponses[0]!.entries.map((e) => e.balance)).toEqual([REDELEGATE.toString()]);

    const u = expectOk(
      await bob.client.undelegateTokens(bob.address, v0, coin(UNDELEGATE), 'auto'),
      'undelegate',
    );
    balance =
      balance - (await feeOf(bob.client, u.transactionHash, denom)) + withdrawnBy(u, bob.address, denom);
    expect(await net.balance(bob.address)).toBe(balance);
    expect((await net.q.staking.delegation(bob.address, v0)).delegationResponse?.balance?.amount).toBe(
      (DELEGATE - REDELEGATE - UNDELEGATE).toString(),
    );
    const ubd = (await net.q.staking.unbondingDelegation(bob.address, v0)).unbond;
    expect(ubd?.entries).toHaveLength(1);
    const entry = ubd!.entries[0]!;
    expect(entry.balance).toBe(UNDELEGATE.toString());
    expect(entry.creationHeight).toBe(BigInt(u.height));
    const blockTime = await net.rpc.blockTimeNs(u.height);
    expect(timestampNs(entry.completionTime)).toBe(blockTime + net.params.staking.unbondingTimeNs);

    // Still locked until the completion time.
    await sleep(3000);
    expect(await net.balance(bob.address)).toBe(balance);

    // The first block at or past the completion time pays it out (EndBlock) and ends the redelegation.
    const done = await waitFor(
      'the unbonding to complete',
      async () => ((await net.balance(bob.address)) !== balance ? true : undefined),
      Number(net.params.staking.unbondingTimeNs / 1_000_000n) + 30_000,
    );
    expect(done).toBe(true);
    expect(await net.balance(bob.address)).toBe(balance + UNDELEGATE);
    await expect(net.q.staking.unbondingDelegation(bob.address, v0)).rejects.toThrow();
    await waitFor('the redelegation to complete', async () =>
      (await net.q.staking.redelegations(bob.address, v0, v1).then(
        (x) => x.redelegationResponses.length,
        () => 0,
      )) === 0
        ? true
        : undefined,
    );
    // The payout came with a complete_unbonding event in the block that made it.
    const h = await net.rpc.height();
    let seen = false;
    for (let height = u.height + 1; height <= h && !seen; height++) {
      seen = (await net.rpc.blockEvents(height, 'complete_unbonding')).some(
        (e) => e.delegator === bob.address && e.validator === v0 && e.amount === `${UNDELEGATE}${denom}`,
      );
    }
    expect(seen).toBe(true);
  });

  it('withdraws rewards: the balance grows by the withdrawn amount, at least the queried rewards', async () => {
    const carol = await net.actor('carol');
    const v1 = net.valoper(1);
    expectOk(await carol.client.delegateTokens(carol.address, v1, coin(2_000_000_000n), 'auto'), 'delegate');
    // Let some blocks' rewards accrue.
    await net.rpc.waitForHeight((await net.rpc.height()) + 3);
    const queried = (await net.q.distribution.delegationRewards(carol.address, v1)).rewards;
    const queriedDec = queried
      .filter((c) => c.denom === denom)
      .reduce((s, c) => s + decAtomics(c.amount), 0n);
    const queriedInt = queriedDec / DEC_ONE;
    expect(queriedInt).toBeGreaterThan(0n);

    const before = await net.balance(carol.address);
    const w = expectOk(await carol.client.withdrawRewards(carol.address, v1, 'auto'), 'withdraw rewards');
    const withdrawn = withdrawnBy(w, carol.address, denom);
    expect(withdrawn).toBeGreaterThanOrEqual(queriedInt);
    const fee = await feeOf(carol.client, w.transactionHash, denom);
    expect(await net.balance(carol.address)).toBe(before - fee + withdrawn);
    // The rewards counter restarts at the withdrawal.
    const left = (await net.q.distribution.delegationRewards(carol.address, v1)).rewards;
    const leftDec = left.filter((c) => c.denom === denom).reduce((s, c) => s + decAtomics(c.amount), 0n);
    expect(leftDec).toBeLessThan(queriedDec + DEC_ONE * 1_000_000n);
  });

  it('a validator created by MsgCreateValidator enters the active set and signs commits', async () => {
    const alice = await net.actor('alice');
    const joiner = await net.joinNode();
    const SELF = 5_000_000_000n; // 5,000 HTH: power 5000
    const valoper = valoperOf(alice.address);
    const res = expectOk(
      await alice.client.signAndBroadcast(
        alice.address,
        [
          {
            typeUrl: '/cosmos.staking.v1beta1.MsgCreateValidator',
            value: MsgCreateValidator.fromPartial({
              description: {
                moniker: 'alice-validator',
                identity: '',
                website: '',
                securityContact: '',
                details: '',
              },
              // LegacyDec fields travel as 18-digit scaled integers.
              commission: {
                rate: (DEC_ONE / 10n).toString(),
                maxRate: (DEC_ONE / 5n).toString(),
                maxChangeRate: (DEC_ONE / 100n).toString(),
              },
              minSelfDelegation: '1',
              delegatorAddress: alice.address,
              validatorAddress: valoper,
              pubkey: {
                typeUrl: '/cosmos.crypto.ed25519.PubKey',
                value: Ed25519PubKey.encode({ key: joiner.consPubKey }).finish(),
              },
              value: coin(SELF),
            }),
          },
        ],
        'auto',
      ),
      'create validator',
    );
    const v = (await net.q.staking.validator(valoper)).validator;
    expect(v.tokens).toBe(SELF.toString());
    expect(v.description?.moniker).toBe('alice-validator');
    expect(consAddressHex(ed25519KeyOfAny(v.consensusPubkey))).toBe(joiner.consAddress);

    // Bonded in the tx's EndBlock, in CometBFT's set one block later.
    const set = await waitFor(
      'the new validator in the set',
      async () => {
        const s = await net.rpc.validators();
        return s.has(joiner.consAddress) ? s : undefined;
      },
      30_000,
    );
    expect(set.get(joiner.consAddress)).toBe(SELF / POWER_REDUCTION);
    expect((await net.q.staking.validator(valoper)).validator.status).toBe(3);
    expect(res.height).toBeGreaterThan(0);
    // The new node precommits: the network's canonical commits (each block's LastCommit, from
    // node0) carry its signature. Its own seen commit is not required to: a validator that lags
    // the others by a gossip round decides from their precommits before adding its own, and its
    // precommit then reaches the chain through the next proposer's LastCommit (as in CometBFT).
    const joined = await net.rpc.height();
    await waitWithLog(
      "the new validator's precommit in a canonical commit",
      joiner.home,
      async () => {
        const top = await net.rpc.height();
        for (let h = joined; h < top; h++) {
          if ((await net.rpc.commitSigners(h)).includes(joiner.consAddress)) return true;
        }
        return undefined;
      },
      45_000,
    );
  });

  it('a stopped validator is jailed and slashed for downtime; after unjail it signs again', async () => {
    const i = await pickActive([3, 1, 0], 'the downtime test');
    const op = net.valoper(i);
    const cons = net.consAddress(i);
    const before = (await net.q.staking.validator(op)).validator;
    expect(before.jailed).toBe(false);
    const tokensBefore = BigInt(before.tokens);
    const power = tokensBefore / POWER_REDUCTION;
    const stopHeight = await net.rpc.height();
    await net.stopNode(i, 'SIGKILL');

    const window = net.params.slashing.signedBlocksWindow;
    await waitFor(
      `node${i} to be jailed`,
      async () => ((await net.q.staking.validator(op)).validator.jailed ? true : undefined),
      Number(window) * 3_000 + 20_000,
    );
    const after = (await net.q.staking.validator(op)).validator;
    expect(after.status).not.toBe(3);
    const burned = mulDecTrunc(power * POWER_REDUCTION, net.params.slashing.slashFractionDowntime);
    expect(burned).toBeGreaterThan(0n);
    expect(BigInt(after.tokens)).toBe(tokensBefore - burned);
    // The slash event in the jailing block.
    const now = await net.rpc.height();
    let slashEvent: Record<string, string> | undefined;
    for (let h = stopHeight + 1; h <= now && !slashEvent; h++)
      slashEvent = (await net.rpc.blockEvents(h, 'slash')).find(
        (e) => e.address === valcons(cons) && e.reason === 'missing_signature',
      );
    expect(slashEvent?.burned_coins).toBe(burned.toString());
    const info = (await net.q.slashing.signingInfo(valcons(cons))).valSigningInfo;
    expect(info.tombstoned).toBe(false);
    const jailedUntil = timestampNs(info.jailedUntil);
    expect(jailedUntil).toBeGreaterThan(0n);

    // Unjail before the jail time is over is refused.
    const operator = await net.actor(`validator-${i}`);
    const early = await operator.client
      .signAndBroadcast(operator.address, [unjailMsg(op)], 'auto')
      .catch((e: Error) => e);
    if (early instanceof Error) expect(early.message).toMatch(/jailed/i);
    else expect(early.code).not.toBe(0);

    net.restartNode(i);
    await waitFor(
      `a block past the jail time (${jailedUntil} ns)`,
      async () => ((await net.rpc.blockTimeNs(await net.rpc.height())) > jailedUntil ? true : undefined),
      Number(net.params.slashing.downtimeJailDurationNs / 1_000_000n) + 30_000,
    );
    const nodeRpc = net.nodes[i]!.rpc;
    await waitWithLog(
      `node${i} to catch up`,
      net.nodes[i]!.home,
      async () => {
        const [mine, theirs] = await Promise.all([
          fetch(`${nodeRpc}/status`).then(
            (r) => r.json() as Promise<{ result: { sync_info: { latest_block_height: string } } }>,
          ),
          net.rpc.height(),
        ]);
        return Number(mine.result.sync_info.latest_block_height) >= theirs - 1 ? true : undefined;
      },
      60_000,
    );
    const u = expectOk(
      await operator.client.signAndBroadcast(operator.address, [unjailMsg(op)], 'auto'),
      'unjail',
    );
    expect(u.height).toBeGreaterThan(0);
    expect((await net.q.staking.validator(op)).validator.jailed).toBe(false);
    await waitFor(`node${i} back in the set`, async () =>
      (await net.rpc.validators()).get(cons) === BigInt(after.tokens) / POWER_REDUCTION ? true : undefined,
    );
    await waitWithLog(
      `node${i}'s precommit in a commit`,
      net.nodes[i]!.home,
      async () => {
        const h = await net.rpc.height();
        return (await net.rpc.commitSigners(h - 1)).includes(cons) ? true : undefined;
      },
      60_000,
    );
  });

  it('a double-signing validator is slashed and tombstoned, with unbondings begun after the infraction', async () => {
    const i = await pickActive([2, 1, 0, 3], 'the double-sign test');
    const op = net.valoper(i);
    const cons = net.consAddress(i);
    // Three delegators, each undelegating a piece per tx (up to max_entries) from the moment the
    // byzantine node is back until the evidence lands: together they begin unbondings in
    // (nearly) every block, so some fall at or after the infraction and before the slash.
    const delegators = [await net.actor('dave'), await net.actor('bob'), await net.actor('carol')];
    const STAKE = 1_000_000_000n;
    const PIECE = 1_000_019n; // 5% of it is 50000.95: the slash truncates
    for (const d of delegators)
      expectOk(await d.client.delegateTokens(d.address, op, coin(STAKE), 'auto'), `delegate (${d.name})`);

    await net.stopNode(i);
    const restartHeight = await net.rpc.height();
    net.restartNode(i, ['--unsafe-test-equivocate']);
    const nodeRpc = new Rpc(net.nodes[i]!.rpc);
    await waitWithLog(`node${i}'s RPC`, net.nodes[i]!.home, async () =>
      (await nodeRpc.height()) >= 0 ? true : undefined,
    );
    const tombstoned = async () =>
      (await net.q.slashing.signingInfo(valcons(cons))).valSigningInfo.tombstoned;
    let over = false;
    const pieces = new Map<string, number>();
    const loops = delegators.map(async (d, k) => {
      await sleep(400 * k); // stagger so that the three do not land in the same blocks
      let n = 0;
      while (!over && n < net.params.staking.maxEntries) {
        expectOk(
          await d.client.undelegateTokens(d.address, op, coin(PIECE), 'auto'),
          `undelegate (${d.name})`,
        );
        n++;
      }
      pieces.set(d.address, n);
    });
    await waitWithLog(
      `node${i} to double-sign`,
      net.nodes[i]!.home,
      async () =>
        readFileSync(join(net.nodes[i]!.home, 'node.log'), 'utf8')
          .split('=== staking e2e')
          .at(-1)
          ?.includes('signed a conflicting prevote')
          ? true
          : undefined,
      60_000,
    );
    try {
      await waitFor(
        `node${i} to be tombstoned`,
        async () => ((await tombstoned()) ? true : undefined),
        60_000,
      );
    } finally {
      over = true;
      await Promise.all(loops);
    }

    // Find the evidence block: the first with duplicate-vote evidence against node2.
    const now = await net.rpc.height();
    let evidenceBlock: number | undefined;
    let evidence: { address: string; power: bigint; height: number } | undefined;
    for (let h = restartHeight; h <= now && evidenceBlock === undefined; h++) {
      evidence = (await net.rpc.duplicateVotes(h)).find((e) => e.address === cons);
      if (evidence) evidenceBlock = h;
    }
    expect(evidenceBlock, `a block with duplicate-vote evidence against node${i}`).toBeDefined();
    const E = evidenceBlock!;
    const ev = evidence!;
    // Stake at risk is the power at the infraction; unbondings that began at or after the
    // infraction's distribution height (vote height - 1) and had not matured are cut first.
    const fraction = net.params.slashing.slashFractionDoubleSign;
    const slashAmount = mulDecTrunc(ev.power * POWER_REDUCTION, fraction);
    const infraction = BigInt(ev.height - 1);
    const entries = [];
    for (const d of delegators) {
      const es = (await net.q.staking.unbondingDelegation(d.address, op)).unbond?.entries ?? [];
      expect(es.length, `${d.name}'s unbonding entries`).toBe(pieces.get(d.address));
      entries.push(...es);
    }
    let cutTotal = 0n;
    let slashedEntries = 0;
    for (const e of entries) {
      const initial = BigInt(e.initialBalance);
      if (e.creationHeight >= infraction && e.creationHeight < BigInt(E)) {
        const cut = mulDecTrunc(initial, fraction);
        expect(BigInt(e.balance), `entry created at ${e.creationHeight}`).toBe(initial - cut);
        cutTotal += cut;
        slashedEntries++;
      } else {
        expect(BigInt(e.balance), `entry created at ${e.creationHeight}`).toBe(initial);
      }
    }
    expect(
      slashedEntries,
      `unbonding entries begun at or after the infraction (distribution height ${infraction}, evidence in block ${E}); entries began at ${entries.map((e) => e.creationHeight).join(', ')}`,
    ).toBeGreaterThan(0);

    const slash = (await net.rpc.blockEvents(E, 'slash')).find(
      (e) => e.address === valcons(cons) && e.reason === 'double_sign',
    );
    const validatorBurn = slashAmount - cutTotal;
    expect(slash?.burned_coins).toBe(validatorBurn.toString());
    // Tokens before (end of E-1) minus the burn minus what this block's txs unbonded.
    const tokensAt = async (h: number) => {
      const r = await net.q.queryAbci(
        '/cosmos.staking.v1beta1.Query/Validator',
        QueryValidatorRequest.encode({ validatorAddr: op }).finish(),
        h,
      );
      return BigInt(QueryValidatorResponse.decode(r.value).validator?.tokens ?? '0');
    };
    const unbondedInE = (await net.rpc.txEventsAt(E, 'unbond'))
      .filter((e) => e.validator === op)
      .reduce((s, e) => s + coinsAmount(e.amount, denom), 0n);
    expect(await tokensAt(E)).toBe((await tokensAt(E - 1)) - validatorBurn - unbondedInE);

    const v = (await net.q.staking.validator(op)).validator;
    expect(v.jailed).toBe(true);
    const info = (await net.q.slashing.signingInfo(valcons(cons))).valSigningInfo;
    expect(info.tombstoned).toBe(true);
    await waitFor(`node${i} out of the set`, async () =>
      (await net.rpc.validators()).has(cons) ? undefined : true,
    );

    // A tombstoned validator can never unjail.
    const operator = await net.actor(`validator-${i}`);
    const refused = await operator.client
      .signAndBroadcast(operator.address, [unjailMsg(op)], 'auto')
      .catch((e: Error) => e);
    if (refused instanceof Error) expect(refused.message).toMatch(/jailed|tombstone/i);
    else expect(refused.code).not.toBe(0);
  });
});
