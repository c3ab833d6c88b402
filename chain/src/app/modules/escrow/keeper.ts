/**
 * x/escrow: one account per deployment, one payment per lease, exact integer accounting.
 *
 * Follows the shape of Akash's x/escrow (accounts, payments, deposits, overdraw) with two
 * changes its users asked for: settlement needs no provider transaction (every account whose
 * funds end in a block is settled at the end of that block, from an index by depletion height),
 * and rounding never leaks: a payment at rate r has been owed exactly floor(r * n) after n blocks.
 *
 * Coins: every account balance and payment balance sits in the `escrow` module account, so
 * bank(escrow) == Σ account.balance + Σ payment.balance (the module invariant).
 */
import { escrowV1 } from '@hearth/sdk';
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { type DecAmount, decCoinToProto, mulIntFloor } from '../../types/decCoin.js';
import { ErrLogic, ErrUnauthorized } from '../../types/errors.js';
import { prefixIterator, readU64BE } from '../../types/keys.js';
import {
  ErrAccountClosed,
  ErrAccountExists,
  ErrAccountNotFound,
  ErrAccountOverdrawn,
  ErrInvalidDenom,
  ErrInvalidDeposit,
  ErrPaymentExists,
  ErrPaymentNotFound,
} from './errors.js';
import * as ev from './events.js';
import type {
  DistributionKeeper,
  EscrowAccountKeeper,
  EscrowBankKeeper,
  EscrowHooks,
} from './expectedKeepers.js';
import {
  AccountPrefix,
  accountKey,
  DepletionPrefix,
  depletionKey,
  ModuleName,
  ParamsKey,
  type PaymentKeyParts,
  PaymentPrefix,
  paymentKey,
  paymentsOfAccountPrefix,
  StoreKey,
} from './keys.js';
import type { EscrowParams } from './params.js';

const { Account, AccountState, Payment, PaymentState } = escrowV1;
type Account = escrowV1.Account;
type Payment = escrowV1.Payment;
type Deposit = escrowV1.Deposit;

const MAX_U64 = (1n << 64n) - 1n;
const amt = (c: { amount: string } | undefined): bigint => BigInt(c?.amount ?? '0');
const coin = (denom: string, amount: bigint) => ({ denom, amount: amount.toString() });

export type PaymentId = PaymentKeyParts;

export function paymentIdOf(p: Payment): PaymentId {
  return {
    owner: addressFromBech32(p.owner),
    dseq: p.dseq,
    gseq: p.gseq,
    oseq: p.oseq,
    provider: addressFromBech32(p.provider),
  };
}

/** The escrow keeper other modules see (x/market, x/provider). */
export interface EscrowView {
  getAccount(ctx: Context, owner: Uint8Array, dseq: bigint): Account | undefined;
}

export class EscrowKeeper implements EscrowView {
  private hooks: EscrowHooks | undefined;

  constructor(
    private readonly bank: EscrowBankKeeper,
    private readonly ak: EscrowAccountKeeper,
    private readonly distr: DistributionKeeper,
    /** The governance module account, allowed to send MsgUpdateParams. */
    readonly authority: Uint8Array,
  ) {}

  setHooks(hooks: EscrowHooks): void {
    if (this.hooks) throw new Error('escrow hooks already set');
    this.hooks = hooks;
  }

  // --- params ------------------------------------------------------------------------------

  getParams(ctx: Context): EscrowParams {
    const b = ctx.kvStore(StoreKey).get(ParamsKey);
    if (!b) throw ErrLogic.wrap('escrow params are not set');
    return escrowV1.Params.decode(b);
  }

  setParams(ctx: Context, p: EscrowParams): void {
    ctx.kvStore(StoreKey).set(ParamsKey, escrowV1.Params.encode(p).finish());
  }

  // --- records -----------------------------------------------------------------------------

  getAccount(ctx: Context, owner: Uint8Array, dseq: bigint): Account | undefined {
    const b = ctx.kvStore(StoreKey).get(accountKey(owner, dseq));
    return b ? Account.decode(b) : undefined;
  }

  /** Writes the account and keeps the depletion index in step with its depletion_height. */
  private putAccount(ctx: Context, a: Account, previousDepletion: bigint): void {
    const store = ctx.kvStore(StoreKey);
    const owner = addressFromBech32(a.owner);
    if (previousDepletion !== a.depletionHeight) {
      if (previousDepletion !== 0n) store.delete(depletionKey(previousDepletion, owner, a.dseq));
      if (a.depletionHeight !== 0n)
        store.set(depletionKey(a.depletionHeight, owner, a.dseq), Uint8Array.of(1));
    }
    store.set(accountKey(owner, a.dseq), Account.encode(a).finish());
  }

  getPayment(ctx: Context, id: PaymentId): Payment | undefined {
    const b = ctx.kvStore(StoreKey).get(paymentKey(id));
    return b ? Payment.decode(b) : undefined;
  }

  private putPayment(ctx: Context, p: Payment): void {
    ctx.kvStore(StoreKey).set(paymentKey(paymentIdOf(p)), Payment.encode(p).finish());
  }

  paymentsOf(ctx: Context, owner: Uint8Array, dseq: bigint): Payment[] {
    return [...prefixIterator(ctx.kvStore(StoreKey), paymentsOfAccountPrefix(owner, dseq))].map(([, v]) =>
      Payment.decode(v),
    );
  }

  *iterateAccounts(ctx: Context): Generator<Account> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), AccountPrefix)) yield Account.decode(v);
  }

  *iteratePayments(ctx: Context): Generator<Payment> {
    for (const [, v] of prefixIterator(ctx.kvStore(StoreKey), PaymentPrefix)) yield Payment.decode(v);
  }

  private mustAccount(ctx: Context, owner: Uint8Array, dseq: bigint): Account {
    const a = this.getAccount(ctx, owner, dseq);
    if (!a) throw ErrAccountNotFound.wrap(`${addressToBech32(owner)}/${dseq}`);
    return a;
  }

  /** Genesis import: the record as exported (the depletion index is rebuilt from it). */
  importAccount(ctx: Context, a: Account): void {
    this.putAccount(ctx, a, 0n);
  }

  importPayment(ctx: Context, p: Payment): void {
    this.putPayment(ctx, p);
  }

  // --- accounts ----------------------------------------------------------------------------

  /** Opens the account of a new deployment with the owner's first deposit. */
  createAccount(ctx: Context, owner: Uint8Array, dseq: bigint, denom: string, deposit: bigint): Account {
    if (this.getAccount(ctx, owner, dseq)) throw ErrAccountExists.wrap(`${addressToBech32(owner)}/${dseq}`);
    if (deposit <= 0n) throw ErrInvalidDeposit.wrap('the first deposit must be positive');
    this.bank.sendCoinsFromAccountToModule(ctx, owner, ModuleName, [{ denom, amount: deposit }]);
    const h = ctx.header.height;
    const a: Account = {
      owner: addressToBech32(owner),
      dseq,
      state: AccountState.ACCOUNT_STATE_OPEN,
      balance: coin(denom, deposit),
      transferred: coin(denom, 0n),
      settledAt: h,
      deposits: [{ depositor: addressToBech32(owner), amount: coin(denom, deposit), height: h }],
      depletionHeight: 0n,
    };
    this.putAccount(ctx, a, 0n);
    ctx.events.emit(ev.EventTypeAccountCreated, [
      [ev.AttrOwner, a.owner],
      [ev.AttrDseq, dseq.toString()],
      [ev.AttrAmount, `${deposit}${denom}`],
    ]);
    return a;
  }

  /**
   * Adds a deposit from `depositor`'s balance (anyone may fund any open or overdrawn account).
   * The account is settled first; an overdrawn account pays its payments' debts before anything
   * else and reopens once they are all paid.
   */
  deposit(
    ctx: Context,
    owner: Uint8Array,
    dseq: bigint,
    depositor: Uint8Array,
    amount: { denom: string; amount: bigint },
  ): void {
    this.checkDepositable(ctx, owner, dseq, amount);
    this.bank.sendCoinsFromAccountToModule(ctx, depositor, ModuleName, [amount]);
    this.credit(ctx, owner, dseq, depositor, amount.amount);
  }

  /**
   * Whether `depositFromModule` would accept `denom` for this account (it exists, is not closed
   * and is denominated in it): callers with coins elsewhere check before moving them.
   */
  canReceive(ctx: Context, owner: Uint8Array, dseq: bigint, denom: string): boolean {
    const a = this.getAccount(ctx, owner, dseq);
    return !!a && a.state !== AccountState.ACCOUNT_STATE_CLOSED && a.balance?.denom === denom;
  }

  /** A deposit paid by a module account (x/provider's fault slashes), credited to `depositor`. */
  depositFromModule(
    ctx: Context,
    fromModule: string,
    owner: Uint8Array,
    dseq: bigint,
    depositor: Uint8Array,
    amount: { denom: string; amount: bigint },
  ): void {
    this.checkDepositable(ctx, owner, dseq, amount);
    this.bank.sendCoinsFromModuleToModule(ctx, fromModule, ModuleName, [amount]);
    this.credit(ctx, owner, dseq, depositor, amount.amount);
  }

  private checkDepositable(
    ctx: Context,
    owner: Uint8Array,
    dseq: bigint,
    amount: { denom: string; amount: bigint },
  ) {
    const a = this.mustAccount(ctx, owner, dseq);
    if (a.state === AccountState.ACCOUNT_STATE_CLOSED) throw ErrAccountClosed.wrap(`${a.owner}/${dseq}`);
    if (amount.amount <= 0n) throw ErrInvalidDeposit.wrap('deposit must be positive');
    if (a.balance?.denom !== amount.denom)
      throw ErrInvalidDenom.wrap(`account takes ${a.balance?.denom}, got ${amount.denom}`);
  }

  private credit(ctx: Context, owner: Uint8Array, dseq: bigint, depositor: Uint8Array, amount: bigint): void {
    this.settle(ctx, owner, dseq);
    const a = this.mustAccount(ctx, owner, dseq);
    const denom = a.balance!.denom;
    const prev = a.depletionHeight;
    const h = ctx.header.height;
    a.deposits.push({ depositor: addressToBech32(depositor), amount: coin(denom, amount), height: h });
    a.balance = coin(denom, amt(a.balance) + amount);
    ctx.events.emit(ev.EventTypeDeposit, [
      [ev.AttrOwner, a.owner],
      [ev.AttrDseq, dseq.toString()],
      [ev.AttrDepositor, addressToBech32(depositor)],
      [ev.AttrAmount, `${amount}${denom}`],
    ]);
    if (a.state === AccountState.ACCOUNT_STATE_OVERDRAWN) {
      let debt = 0n;
      for (const p of this.paymentsOf(ctx, owner, dseq)) {
        const owed = amt(p.unsettled);
        if (owed === 0n) continue;
        const pay = owed < amt(a.balance) ? owed : amt(a.balance);
        if (pay > 0n) {
          spend(a, pay);
          p.balance = coin(denom, amt(p.balance) + pay);
          p.unsettled = coin(denom, owed - pay);
        }
        if (amt(p.unsettled) === 0n && p.state === PaymentState.PAYMENT_STATE_OVERDRAWN)
          p.state = PaymentState.PAYMENT_STATE_CLOSED;
        debt += amt(p.unsettled);
        this.putPayment(ctx, p);
      }
      if (debt === 0n) {
        a.state = AccountState.ACCOUNT_STATE_OPEN;
        a.settledAt = h;
        this.putAccount(ctx, a, prev);
        ctx.events.emit(ev.EventTypeAccountRefilled, [
          [ev.AttrOwner, a.owner],
          [ev.AttrDseq, dseq.toString()],
        ]);
        this.hooks?.onAccountRefilled(ctx, owner, dseq);
        return;
      }
      this.putAccount(ctx, a, prev);
      return;
    }
    a.depletionHeight = this.depletionHeight(a, this.openPayments(ctx, owner, dseq));
    this.putAccount(ctx, a, prev);
  }

  // --- payments ----------------------------------------------------------------------------

  /** Starts paying `rate` per block from the account to a lease's provider. */
  openPayment(ctx: Context, id: PaymentId, rate: DecAmount): void {
    if (rate.amount <= 0n) throw ErrInvalidDeposit.wrap('payment rate must be positive');
    this.settle(ctx, id.owner, id.dseq);
    const a = this.mustAccount(ctx, id.owner, id.dseq);
    if (a.state === AccountState.ACCOUNT_STATE_CLOSED) throw ErrAccountClosed.wrap(`${a.owner}/${id.dseq}`);
    if (a.state === AccountState.ACCOUNT_STATE_OVERDRAWN)
      throw ErrAccountOverdrawn.wrap(`${a.owner}/${id.dseq}`);
    const denom = a.balance!.denom;
    if (rate.denom !== denom)
      throw ErrInvalidDenom.wrap(`account pays in ${denom}, rate is in ${rate.denom}`);
    const existing = this.getPayment(ctx, id);
    if (existing) throw ErrPaymentExists;
    const p: Payment = {
      owner: a.owner,
      dseq: id.dseq,
      gseq: id.gseq,
      oseq: id.oseq,
      provider: addressToBech32(id.provider),
      state: PaymentState.PAYMENT_STATE_OPEN,
      rate: decCoinToProto(rate),
      balance: coin(denom, 0n),
      withdrawn: coin(denom, 0n),
      unsettled: coin(denom, 0n),
      paidBlocks: 0n,
      createdAt: ctx.header.height,
    };
    this.putPayment(ctx, p);
    const prev = a.depletionHeight;
    a.depletionHeight = this.depletionHeight(a, this.openPayments(ctx, id.owner, id.dseq));
    this.putAccount(ctx, a, prev);
    ctx.events.emit(ev.EventTypePaymentOpened, paymentAttrs(p));
  }

  /** Stops a payment (settling first) and pays its balance to the provider. */
  closePayment(ctx: Context, id: PaymentId): void {
    this.settle(ctx, id.owner, id.dseq);
    const p = this.getPayment(ctx, id);
    if (!p) throw ErrPaymentNotFound;
    if (p.state === PaymentState.PAYMENT_STATE_OPEN) {
      p.state = PaymentState.PAYMENT_STATE_CLOSED;
      this.putPayment(ctx, p);
      ctx.events.emit(ev.EventTypePaymentClosed, paymentAttrs(p));
      const a = this.mustAccount(ctx, id.owner, id.dseq);
      const prev = a.depletionHeight;
      a.depletionHeight = this.depletionHeight(a, this.openPayments(ctx, id.owner, id.dseq));
      this.putAccount(ctx, a, prev);
    }
    this.payOut(ctx, p);
  }

  /** MsgWithdrawLease: settles and pays the payment's balance to its provider. */
  withdraw(ctx: Context, id: PaymentId, sender: Uint8Array): bigint {
    if (Buffer.compare(sender, id.provider) !== 0)
      throw ErrUnauthorized.wrap('only the lease provider may withdraw');
    if (!this.getPayment(ctx, id)) throw ErrPaymentNotFound;
    this.settle(ctx, id.owner, id.dseq);
    return this.payOut(ctx, this.getPayment(ctx, id)!);
  }

  private payOut(ctx: Context, p: Payment): bigint {
    const amount = amt(p.balance);
    if (amount === 0n) return 0n;
    const denom = p.balance!.denom;
    const take = (amount * BigInt(this.getParams(ctx).takeRateBps)) / 10_000n;
    const provider = addressFromBech32(p.provider);
    p.balance = coin(denom, 0n);
    p.withdrawn = coin(denom, amt(p.withdrawn) + amount);
    this.putPayment(ctx, p);
    if (take > 0n)
      this.distr.fundCommunityPool(ctx, [{ denom, amount: take }], this.ak.moduleAddress(ModuleName));
    if (amount - take > 0n)
      this.bank.sendCoinsFromModuleToAccount(ctx, ModuleName, provider, [{ denom, amount: amount - take }]);
    ctx.events.emit(ev.EventTypePaymentWithdrawn, [
      ...paymentAttrs(p),
      [ev.AttrAmount, `${amount - take}${denom}`],
      [ev.AttrTake, `${take}${denom}`],
    ]);
    return amount - take;
  }

  /**
   * Settles, closes every payment (paying providers), refunds what is left to each depositor and
   * closes the account. Debts of an overdrawn account stay recorded on its payments.
   */
  closeAccount(ctx: Context, owner: Uint8Array, dseq: bigint): void {
    this.settle(ctx, owner, dseq);
    const a = this.mustAccount(ctx, owner, dseq);
    if (a.state === AccountState.ACCOUNT_STATE_CLOSED) throw ErrAccountClosed.wrap(`${a.owner}/${dseq}`);
    for (const p of this.paymentsOf(ctx, owner, dseq)) this.closePayment(ctx, paymentIdOf(p));
    const b = this.mustAccount(ctx, owner, dseq);
    const denom = b.balance!.denom;
    for (const d of b.deposits) {
      const x = amt(d.amount);
      if (x === 0n) continue;
      this.bank.sendCoinsFromModuleToAccount(ctx, ModuleName, addressFromBech32(d.depositor), [
        { denom, amount: x },
      ]);
      ctx.events.emit(ev.EventTypeRefund, [
        [ev.AttrOwner, b.owner],
        [ev.AttrDseq, dseq.toString()],
        [ev.AttrDepositor, d.depositor],
        [ev.AttrAmount, `${x}${denom}`],
      ]);
    }
    const prev = b.depletionHeight;
    b.deposits = [];
    b.balance = coin(denom, 0n);
    b.state = AccountState.ACCOUNT_STATE_CLOSED;
    b.depletionHeight = 0n;
    this.putAccount(ctx, b, prev);
    ctx.events.emit(ev.EventTypeAccountClosed, [
      [ev.AttrOwner, b.owner],
      [ev.AttrDseq, dseq.toString()],
    ]);
  }

  // --- settlement --------------------------------------------------------------------------

  private openPayments(ctx: Context, owner: Uint8Array, dseq: bigint): Payment[] {
    return this.paymentsOf(ctx, owner, dseq).filter((p) => p.state === PaymentState.PAYMENT_STATE_OPEN);
  }

  /** What `payments` are owed for the next `m` blocks: Σ floor(r(p+m)) - floor(r p). */
  private static cost(payments: readonly Payment[], rates: readonly bigint[], m: bigint): bigint {
    let total = 0n;
    payments.forEach((p, i) => {
      const r = rates[i]!;
      total += mulIntFloor(r, p.paidBlocks + m) - mulIntFloor(r, p.paidBlocks);
    });
    return total;
  }

  /** The largest m < limit whose cost the balance covers (cost is non-decreasing in m). */
  private static coveredBlocks(
    payments: readonly Payment[],
    rates: readonly bigint[],
    balance: bigint,
    limit: bigint,
  ) {
    let lo = 0n;
    let hi = limit;
    // Invariant: cost(lo) <= balance, and cost(hi) > balance or hi == limit.
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (EscrowKeeper.cost(payments, rates, mid) <= balance) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** The height at whose end an open account can no longer pay a full block (0: none). */
  private depletionHeight(a: Account, open: readonly Payment[]): bigint {
    if (a.state !== AccountState.ACCOUNT_STATE_OPEN || open.length === 0) return 0n;
    const rates = open.map((p) => rateOf(p));
    const balance = amt(a.balance);
    const limit = MAX_U64 - a.settledAt;
    if (EscrowKeeper.cost(open, rates, limit) <= balance) return 0n;
    const m = EscrowKeeper.coveredBlocks(open, rates, balance, limit);
    return a.settledAt + m + 1n;
  }

  /**
   * Pays every open payment of the account up to the current height. When the balance cannot
   * cover that, the payments get every full block it covers plus what is left for the block
   * in which the funds end (the rest recorded as `unsettled`), stop, and the account is
   * overdrawn; x/market is told through the hooks.
   */
  settle(ctx: Context, owner: Uint8Array, dseq: bigint): void {
    const a = this.getAccount(ctx, owner, dseq);
    if (!a || a.state !== AccountState.ACCOUNT_STATE_OPEN) return;
    const h = ctx.header.height;
    if (h <= a.settledAt) return;
    const prev = a.depletionHeight;
    const open = this.openPayments(ctx, owner, dseq);
    const n = h - a.settledAt;
    const denom = a.balance!.denom;
    if (open.length === 0) {
      a.settledAt = h;
      a.depletionHeight = 0n;
      this.putAccount(ctx, a, prev);
      return;
    }
    const rates = open.map((p) => rateOf(p));
    const balance = amt(a.balance);
    const full = EscrowKeeper.cost(open, rates, n);
    if (full <= balance) {
      this.pay(a, open, rates, n);
      a.settledAt = h;
      a.depletionHeight = this.depletionHeight(a, open);
      for (const p of open) this.putPayment(ctx, p);
      this.putAccount(ctx, a, prev);
      ctx.events.emit(ev.EventTypeSettled, [
        [ev.AttrOwner, a.owner],
        [ev.AttrDseq, dseq.toString()],
        [ev.AttrAmount, `${full}${denom}`],
        [ev.AttrHeight, h.toString()],
      ]);
      return;
    }
    // The funds end within these n blocks: full blocks first, then the remainder for the block
    // they end in; nothing accrues after it.
    const m = EscrowKeeper.coveredBlocks(open, rates, balance, n);
    this.pay(a, open, rates, m);
    let left = amt(a.balance);
    let unsettled = 0n;
    open.forEach((p, i) => {
      const owed = mulIntFloor(rates[i]!, p.paidBlocks + 1n) - mulIntFloor(rates[i]!, p.paidBlocks);
      const give = owed < left ? owed : left;
      left -= give;
      p.balance = coin(denom, amt(p.balance) + give);
      p.unsettled = coin(denom, amt(p.unsettled) + owed - give);
      unsettled += owed - give;
      p.paidBlocks += 1n;
      p.state = PaymentState.PAYMENT_STATE_OVERDRAWN;
      if (give > 0n) spend(a, give);
      a.transferred = coin(denom, amt(a.transferred) + give);
    });
    a.state = AccountState.ACCOUNT_STATE_OVERDRAWN;
    a.settledAt = h;
    a.depletionHeight = 0n;
    for (const p of open) this.putPayment(ctx, p);
    this.putAccount(ctx, a, prev);
    ctx.events.emit(ev.EventTypeSettled, [
      [ev.AttrOwner, a.owner],
      [ev.AttrDseq, dseq.toString()],
      [ev.AttrAmount, `${balance}${denom}`],
      [ev.AttrHeight, h.toString()],
    ]);
    ctx.events.emit(ev.EventTypeAccountOverdrawn, [
      [ev.AttrOwner, a.owner],
      [ev.AttrDseq, dseq.toString()],
      [ev.AttrUnsettled, `${unsettled}${denom}`],
      [ev.AttrHeight, h.toString()],
    ]);
    this.hooks?.onAccountOverdrawn(ctx, owner, dseq);
  }

  /** Moves the cost of m blocks from the account to its payments (in memory). */
  private pay(a: Account, open: Payment[], rates: readonly bigint[], m: bigint): bigint {
    const denom = a.balance!.denom;
    let total = 0n;
    open.forEach((p, i) => {
      const owed = mulIntFloor(rates[i]!, p.paidBlocks + m) - mulIntFloor(rates[i]!, p.paidBlocks);
      p.paidBlocks += m;
      p.balance = coin(denom, amt(p.balance) + owed);
      total += owed;
    });
    if (total > 0n) spend(a, total);
    a.transferred = coin(denom, amt(a.transferred) + total);
    return total;
  }

  /** End of block: settle every account whose funds end at or before this height. */
  endBlock(ctx: Context): void {
    const h = ctx.header.height;
    const store = ctx.kvStore(StoreKey);
    const due: [Uint8Array, bigint][] = [];
    for (const [k] of prefixIterator(store, DepletionPrefix)) {
      if (readU64BE(k, 0) > h) break;
      const len = k[8]!;
      due.push([k.slice(9, 9 + len), readU64BE(k, 9 + len)]);
    }
    for (const [owner, dseq] of due) this.settle(ctx, owner, dseq);
  }
}

/** Spends `x` from the account, oldest deposits first. */
function spend(a: Account, x: bigint): void {
  const denom = a.balance!.denom;
  const bal = amt(a.balance);
  if (x > bal) throw ErrLogic.wrap(`escrow ${a.owner}/${a.dseq} spends ${x} of ${bal}`);
  let rest = x;
  const kept: Deposit[] = [];
  for (const d of a.deposits) {
    const have = amt(d.amount);
    const take = rest < have ? rest : have;
    rest -= take;
    if (have - take > 0n) kept.push({ ...d, amount: coin(denom, have - take) });
  }
  a.deposits = kept;
  a.balance = coin(denom, bal - x);
}

function rateOf(p: Payment): bigint {
  const [i, f = ''] = (p.rate?.amount ?? '0').split('.');
  return BigInt(i!) * 10n ** 18n + BigInt(f.padEnd(18, '0'));
}

function paymentAttrs(p: Payment): [string, string][] {
  return [
    [ev.AttrOwner, p.owner],
    [ev.AttrDseq, p.dseq.toString()],
    [ev.AttrGseq, p.gseq.toString()],
    [ev.AttrOseq, p.oseq.toString()],
    [ev.AttrProvider, p.provider],
    [ev.AttrState, PaymentState[p.state] ?? String(p.state)],
  ];
}
