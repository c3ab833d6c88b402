/**
 * Test kit for the staking family of modules (staking, mint, distribution, slashing): an
 * in-memory multistore with auth and bank, funded accounts, and a block runner that calls the
 * block hooks in the order the app wires them. Used by tests only.
 */
import { createHash } from 'node:crypto';
import type { ValidatorUpdate, VoteInfo } from 'cosmjs-types/tendermint/abci/types';
import { BlockIDFlag } from 'cosmjs-types/tendermint/types/validator';
import { openMemoryCommitMultiStore } from '../../../store/index.js';
import type { CacheMultiStore, CommitMultiStore } from '../../../store/types.js';
import { addressToBech32, VALOPER_PREFIX } from '../../types/address.js';
import { type BlockHeader, Context } from '../../types/context.js';
import { GasMeter } from '../../types/gas.js';
import type { AppModule, MsgHandler } from '../../types/module.js';
import { defaultAuthGenesisJson, initAuthGenesis, parseAuthGenesis } from '../auth/genesis.js';
import { AuthKeeper } from '../auth/keeper.js';
import { Burner, FeeCollectorName, Minter, Staking } from '../auth/keys.js';
import { initBankGenesis, parseBankGenesis } from '../bank/genesis.js';
import { BankKeeper } from '../bank/keeper.js';
import { StakingKeeper } from './keeper.js';
import { BondedPoolName, NotBondedPoolName } from './keys.js';
import { stakingModule } from './module.js';
import { ed25519PubKeyToAny, valConsAddr } from './types.js';

export const DENOM = 'uhth';
export const STORE_NAMES = ['acc', 'bank', 'distribution', 'mint', 'slashing', 'staking'];
export const MODULE_PERMISSIONS: Record<string, string[]> = {
  [FeeCollectorName]: [],
  [BondedPoolName]: [Burner, Staking],
  [NotBondedPoolName]: [Burner, Staking],
  distribution: [],
  mint: [Minter],
};

/** A deterministic 20-byte account address for test account `i`. */
export function testAddress(i: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`account-${i}`).digest().subarray(0, 20));
}

/** A deterministic 32-byte "ed25519 key" for validator `i` (never verified here). */
export function testConsKey(i: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`cons-${i}`).digest());
}

export const acc = (i: number) => addressToBech32(testAddress(i));
export const valoper = (i: number) => addressToBech32(testAddress(i), VALOPER_PREFIX);

export class TestChain {
  height = 0n;
  timeNs = 1_800_000_000_000_000_000n;
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly staking: StakingKeeper;
  modules: AppModule[] = [];
  lastUpdates: ValidatorUpdate[] = [];
  private branch!: CacheMultiStore;
  private handlers = new Map<string, MsgHandler<any>>();

  private constructor(
    readonly store: CommitMultiStore,
    makeBank: (auth: AuthKeeper) => BankKeeper,
  ) {
    this.auth = new AuthKeeper(MODULE_PERMISSIONS);
    this.bank = makeBank(this.auth);
    this.staking = new StakingKeeper(this.auth, this.bank);
  }

  static async create(
    makeBank: (auth: AuthKeeper) => BankKeeper = (a) => new BankKeeper(a),
  ): Promise<TestChain> {
    const store = await openMemoryCommitMultiStore({ storeNames: STORE_NAMES, keepRecent: 0 });
    return new TestChain(store, makeBank);
  }

  header(): BlockHeader {
    return {
      chainId: 'hearth-test-1',
      height: this.height,
      timeNs: this.timeNs,
      proposer: new Uint8Array(20),
    };
  }

  ctx(): Context {
    return new Context(this.branch, this.header(), 'finalize', new GasMeter(-1n, false));
  }

  register(modules: AppModule[]): void {
    this.modules = modules;
    for (const m of modules) for (const h of m.msgHandlers ?? []) this.handlers.set(h.typeUrl, h);
  }

  /** Genesis: funds accounts, then every module's default genesis patched by `overrides`. */
  async genesis(balances: { index: number; amount: bigint }[], overrides: Record<string, unknown> = {}) {
    this.branch = this.store.cacheMultiStore();
    const ctx = new Context(this.branch, this.header(), 'genesis');
    initAuthGenesis(ctx, this.auth, parseAuthGenesis(defaultAuthGenesisJson()));
    initBankGenesis(
      ctx,
      this.bank,
      parseBankGenesis({
        balances: balances.map((b) => ({
          address: acc(b.index),
          coins: [{ denom: DENOM, amount: b.amount.toString() }],
        })),
      }),
    );
    this.auth.getModuleAccount(ctx, FeeCollectorName);
    for (const b of balances) {
      const a = testAddress(b.index);
      if (!this.auth.hasAccount(ctx, a)) this.auth.setAccount(ctx, this.auth.newAccount(ctx, a));
    }
    for (const m of this.modules) m.initGenesis(ctx, overrides[m.name] ?? m.defaultGenesis());
    this.branch.write();
    await this.store.commit();
  }

  /** Starts block `height + 1` at `timeNs + dtNs` and runs the begin-block hooks. */
  beginBlock(dtNs = 5_000_000_000n, begin?: (ctx: Context) => void): void {
    this.height += 1n;
    this.timeNs += dtNs;
    this.branch = this.store.cacheMultiStore();
    const ctx = this.ctx();
    if (begin) begin(ctx);
    else for (const m of this.modules) m.beginBlock?.(ctx);
  }

  /** Delivers one message as a tx would: on error, none of its writes survive. */
  deliver(
    typeUrl: string,
    msg: unknown,
  ): { ok: true; events: Context['events'] } | { ok: false; error: Error } {
    const h = this.handlers.get(typeUrl);
    if (!h) throw new Error(`no handler for ${typeUrl}`);
    const sub = this.branch.cacheMultiStore();
    const ctx = new Context(sub, this.header(), 'finalize', new GasMeter(-1n, false));
    try {
      h.validateBasic(msg);
      h.handle(ctx, msg);
      sub.write();
      return { ok: true, events: ctx.events };
    } catch (e) {
      return { ok: false, error: e as Error };
    }
  }

  /** Like `deliver` but throws on failure. */
  must(typeUrl: string, msg: unknown): Context['events'] {
    const r = this.deliver(typeUrl, msg);
    if (!r.ok) throw r.error;
    return r.events;
  }

  async endBlock(): Promise<ValidatorUpdate[]> {
    const ctx = this.ctx();
    const updates: ValidatorUpdate[] = [];
    for (const m of this.modules) updates.push(...(m.endBlock?.(ctx) ?? []));
    this.branch.write();
    await this.store.commit();
    this.lastUpdates = updates;
    return updates;
  }

  /** Runs invariants of every registered module (plus bank's, if given) against committed state. */
  brokenInvariants(extra: AppModule[] = []): string[] {
    const ctx = new Context(this.store.cacheMultiStore(), this.header(), 'query');
    return [...this.modules, ...extra].flatMap((m) =>
      (m.invariants ?? []).flatMap((inv) => {
        const why = inv.check(ctx);
        return why === undefined ? [] : [`${inv.name}: ${why}`];
      }),
    );
  }

  /** A read context over the committed state. */
  view(): Context {
    return new Context(this.store.cacheMultiStore(), this.header(), 'query');
  }
}

/** The last committed set as `decided_last_commit` votes; validators in `absent` did not sign. */
export function votesOf(chain: TestChain, absent: ReadonlySet<string> = new Set()): VoteInfo[] {
  const ctx = chain.view();
  return [...chain.staking.iterateLastValidatorPowers(ctx)].map(({ operator, power }) => {
    const v = chain.staking.getValidator(ctx, operator)!;
    const address = valConsAddr(v);
    const flag = absent.has(addressToBech32(operator, VALOPER_PREFIX))
      ? BlockIDFlag.BLOCK_ID_FLAG_ABSENT
      : BlockIDFlag.BLOCK_ID_FLAG_COMMIT;
    return { validator: { address, power }, blockIdFlag: flag };
  });
}

export function stakingOnly(chain: TestChain): void {
  chain.register([stakingModule(chain.staking)]);
}

export function createValidatorMsg(
  i: number,
  amount: bigint,
  opts: { rate?: string; minSelf?: string } = {},
) {
  return {
    description: { moniker: `val-${i}`, identity: '', website: '', securityContact: '', details: '' },
    commission: {
      rate: opts.rate ?? '100000000000000000',
      maxRate: '200000000000000000',
      maxChangeRate: '10000000000000000',
    },
    minSelfDelegation: opts.minSelf ?? '1',
    delegatorAddress: '',
    validatorAddress: valoper(i),
    pubkey: ed25519PubKeyToAny(testConsKey(i)),
    value: { denom: DENOM, amount: amount.toString() },
  };
}

export const T = {
  create: '/cosmos.staking.v1beta1.MsgCreateValidator',
  edit: '/cosmos.staking.v1beta1.MsgEditValidator',
  delegate: '/cosmos.staking.v1beta1.MsgDelegate',
  undelegate: '/cosmos.staking.v1beta1.MsgUndelegate',
  redelegate: '/cosmos.staking.v1beta1.MsgBeginRedelegate',
  cancel: '/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation',
  withdrawReward: '/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward',
  withdrawCommission: '/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission',
  setWithdrawAddress: '/cosmos.distribution.v1beta1.MsgSetWithdrawAddress',
  fundCommunityPool: '/cosmos.distribution.v1beta1.MsgFundCommunityPool',
  unjail: '/cosmos.slashing.v1beta1.MsgUnjail',
} as const;

export const coin = (amount: bigint) => ({ denom: DENOM, amount: amount.toString() });
