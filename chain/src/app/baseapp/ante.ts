/**
 * The ante handler: every check a tx passes before its messages run, in the order of the
 * Cosmos SDK's default chain (x/auth/ante): gas set-up, basic validation, timeout height, memo,
 * tx-size gas, fee check and deduction, public keys, signature count and gas, SIGN_MODE_DIRECT
 * signature verification, sequence increment.
 */
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { bytesFieldSize, ExactWriter, uint64FieldSize, utf8Field } from '../../codec/exactWriter.js';
import { type SigCheck, verifySecp256k1 } from '../../crypto/secp256k1.js';
import { OldestFirst } from '../../util/oldestFirst.js';
import type { Account, AuthKeeper } from '../modules/auth/keeper.js';
import { pubKeyFromAny } from '../modules/auth/keeper.js';
import { FeeCollectorName } from '../modules/auth/keys.js';
import type { BankKeeper } from '../modules/bank/keeper.js';
import { addressToBech32, bytesEqual, secp256k1Address } from '../types/address.js';
import { type Coins, coinsFromProto, coinsToString } from '../types/coins.js';
import type { Context } from '../types/context.js';
import { type DecCoin, mulIntCeil } from '../types/decimal.js';
import {
  ErrInsufficientFee,
  ErrInvalidGasLimit,
  ErrInvalidPubKey,
  ErrMemoTooLarge,
  ErrNoSignatures,
  ErrNotSupported,
  ErrTooManySignatures,
  ErrTxTimeoutHeight,
  ErrUnauthorized,
  ErrUnknownAddress,
  ErrWrongSequence,
} from '../types/errors.js';
import * as ev from '../types/events.js';
import type { DecodedTx } from './txDecoder.js';

export interface AnteDeps {
  auth: AuthKeeper;
  bank: BankKeeper;
  /** Node-configured minimum gas prices, applied in CheckTx only. */
  minGasPrices: readonly DecCoin[];
  /** The consensus `block.max_gas` (-1: unlimited). */
  maxBlockGas: () => bigint;
  sigCache: SignatureCache;
}

export interface AnteResult {
  signers: Uint8Array[];
  fee: Coins;
  /** The tx's priority for the mempool: the fee per unit of gas in the first fee denom. */
  priority: bigint;
}

/**
 * Signature checks done in CheckTx, remembered so FinalizeBlock on the same node does not
 * repeat them. An entry holds what the verification depended on besides the tx bytes (the
 * signers' account numbers and public keys); it is used only if those are unchanged.
 */
export class SignatureCache {
  private readonly entries = new Map<string, string>();
  private readonly oldest = new OldestFirst(this.entries);
  constructor(private readonly capacity = 200_000) {}

  add(txKey: string, fingerprint: string): void {
    if (this.entries.size >= this.capacity && !this.entries.has(txKey)) this.oldest.evict();
    this.entries.set(txKey, fingerprint);
  }

  matches(txKey: string, fingerprint: string): boolean {
    return this.entries.get(txKey) === fingerprint;
  }

  delete(txKey: string): void {
    this.entries.delete(txKey);
  }

  /** Whether any verification of this tx is remembered (possibly against other accounts). */
  has(txKey: string): boolean {
    return this.entries.has(txKey);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Everything a tx's sign bytes and keys depended on besides the tx bytes themselves. */
function signatureFingerprint(chainId: string, accounts: Account[], pubKeys: Uint8Array[]): string {
  let fp = chainId;
  for (let i = 0; i < accounts.length; i++) {
    const k = pubKeys[i] as Uint8Array;
    fp += `|${(accounts[i] as Account).accountNumber}:${Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1')}`;
  }
  return fp;
}

/** The SIGN_MODE_DIRECT sign bytes of a tx for a signer with `accountNumber`. */
export function directSignBytes(raw: DecodedTx['raw'], chainId: string, accountNumber: bigint): Uint8Array {
  return encodeSignDoc(raw.bodyBytes, raw.authInfoBytes, chainId, accountNumber);
}

/** The chain id's bytes: the same in every sign doc. */
let lastChainId = '';
let lastChainIdBytes: Uint8Array = new Uint8Array();

/**
 * `SignDoc{body_bytes, auth_info_bytes, chain_id, account_number}` in one pass: exactly what
 * `encodeProto(SignDoc, ...)` gives (proto3 defaults omitted), which a property test checks.
 * `accountNumber` must be a uint64.
 */
export function encodeSignDoc(
  bodyBytes: Uint8Array,
  authInfoBytes: Uint8Array,
  chainId: string,
  accountNumber: bigint,
): Uint8Array {
  if (accountNumber < 0n || accountNumber >= 1n << 64n)
    throw new RangeError('account number must be a uint64');
  if (chainId !== lastChainId) {
    lastChainIdBytes = utf8Field(chainId);
    lastChainId = chainId;
  }
  const chain = lastChainIdBytes;
  const w = new ExactWriter(
    bytesFieldSize(bodyBytes.length) +
      bytesFieldSize(authInfoBytes.length) +
      bytesFieldSize(chain.length) +
      uint64FieldSize(accountNumber),
  );
  w.bytesField(0x0a, bodyBytes);
  w.bytesField(0x12, authInfoBytes);
  w.bytesField(0x1a, chain);
  w.uint64Field(0x20, accountNumber);
  return w.finish();
}

export interface PreparedSignatures {
  /** The SignatureCache fingerprint a successful verification is stored under. */
  fingerprint: string;
  checks: SigCheck[];
}

/**
 * What the ante handler would verify for `tx` against the accounts in `ctx`, without verifying
 * it, so the checks can run elsewhere (worker threads) and be remembered in the SignatureCache.
 * Undefined when the handler would not get as far as verifying (unknown account or key, wrong
 * signature count or mode): the handler reports those itself.
 */
export function prepareSignatureChecks(
  ctx: Context,
  tx: DecodedTx,
  signers: Uint8Array[],
  auth: AuthKeeper,
): PreparedSignatures | undefined {
  const { raw, authInfo } = tx;
  if (ctx.header.height === 0n) return undefined; // gentxs: few, and signed with account number 0
  if (raw.signatures.length !== signers.length || authInfo.signerInfos.length !== signers.length)
    return undefined;
  const accounts: Account[] = [];
  const pubKeys: Uint8Array[] = [];
  const checks: SigCheck[] = [];
  for (let i = 0; i < signers.length; i++) {
    const addr = signers[i] as Uint8Array;
    const info = authInfo.signerInfos[i]!;
    if (info.modeInfo?.single?.mode !== SignMode.SIGN_MODE_DIRECT) return undefined;
    const acc = auth.getAccount(ctx, addr);
    if (!acc) return undefined;
    let pubKey = acc.pubKey;
    if (info.publicKey) {
      try {
        pubKey = pubKeyFromAny(info.publicKey);
      } catch {
        return undefined;
      }
    }
    if (!pubKey) return undefined;
    accounts.push(acc);
    pubKeys.push(pubKey);
    checks.push({
      pubKey,
      signBytes: directSignBytes(raw, ctx.header.chainId, acc.accountNumber),
      signature: raw.signatures[i] as Uint8Array,
    });
  }
  return { fingerprint: signatureFingerprint(ctx.header.chainId, accounts, pubKeys), checks };
}

/**
 * Runs the ante checks on `ctx` (a branch the caller writes only on success). `signers` are
 * the required signers of the tx's messages in order of first appearance.
 */
export function runAnte(
  ctx: Context,
  tx: DecodedTx,
  txKey: string,
  signers: Uint8Array[],
  deps: AnteDeps,
  simulate: boolean,
): AnteResult {
  const { body, authInfo, raw } = tx;
  const params = deps.auth.getParams(ctx);
  const fee = authInfo.fee!;
  const gasLimit = fee.gasLimit;

  // SetUpContext: a gas limit above the block's maximum can never be included.
  const maxGas = deps.maxBlockGas();
  if (!simulate && maxGas > 0n && gasLimit > maxGas) {
    throw ErrInvalidGasLimit.wrap(`tx gas limit ${gasLimit} exceeds the block maximum ${maxGas}`);
  }

  // ValidateBasic
  if (raw.signatures.length === 0) throw ErrNoSignatures;
  if (raw.signatures.length !== signers.length) {
    throw ErrUnauthorized.wrap(
      `wrong number of signers; expected ${signers.length}, got ${raw.signatures.length}`,
    );
  }
  if (authInfo.signerInfos.length !== signers.length) {
    throw ErrUnauthorized.wrap(
      `wrong number of signer infos; expected ${signers.length}, got ${authInfo.signerInfos.length}`,
    );
  }
  const feeCoins = coinsFromProto(fee.amount);

  // TxTimeoutHeight
  if (body.timeoutHeight > 0n && ctx.header.height > body.timeoutHeight) {
    throw ErrTxTimeoutHeight.wrap(
      `block height: ${ctx.header.height}, timeout height: ${body.timeoutHeight}`,
    );
  }

  // ValidateMemo
  if (BigInt(body.memo.length) > params.maxMemoCharacters) {
    throw ErrMemoTooLarge.wrap(
      `maximum number of characters is ${params.maxMemoCharacters} but received ${body.memo.length} characters`,
    );
  }

  // ConsumeTxSizeGas
  ctx.gasMeter.consume(params.txSizeCostPerByte * BigInt(tx.bytes.length), 'txSize');
  if (simulate) {
    // Simulated txs carry empty signatures: charge for the 64 bytes (plus tag and length) they will have.
    const missing = raw.signatures.filter((s) => s.length === 0).length;
    ctx.gasMeter.consume(params.txSizeCostPerByte * 66n * BigInt(missing), 'txSize: simulated signatures');
  }

  // DeductFee (the minimum-gas-price check applies to CheckTx only: it is node policy, not consensus)
  if (ctx.isCheckTx && !simulate) {
    // Zero prices (e.g. "0uhth") require nothing.
    const required = deps.minGasPrices
      .map((p) => ({ denom: p.denom, amount: mulIntCeil(p.amount, gasLimit) }))
      .filter((r) => r.amount > 0n);
    const ok =
      required.length === 0 ||
      required.some((r) => feeCoins.some((c) => c.denom === r.denom && c.amount >= r.amount));
    if (!ok) {
      throw ErrInsufficientFee.wrap(
        `insufficient fees; got: ${coinsToString(feeCoins) || '0'} required: ${coinsToString(required)}`,
      );
    }
  }
  const feePayer = signers[0]!;
  if (fee.payer !== '' && fee.payer !== addressToBech32(feePayer)) {
    throw ErrNotSupported.wrap(
      'a fee payer other than the first signer needs fee grants, which this chain does not have',
    );
  }
  if (fee.granter !== '') throw ErrNotSupported.wrap('fee grants are not supported');
  if (!deps.auth.hasAccount(ctx, feePayer)) {
    throw ErrUnknownAddress.wrap(`fee payer address: ${addressToBech32(feePayer)} does not exist`);
  }
  if (feeCoins.length > 0) {
    deps.bank.sendCoins(ctx, feePayer, deps.auth.moduleAddress(FeeCollectorName), feeCoins);
  } else if (simulate) {
    // Simulations carry no fee (CosmJS sends none), yet the real tx will pay one: move one unit
    // of a denom the payer holds on the (discarded) simulation branch so the gas estimate
    // includes the fee transfer's reads and writes (~15k gas).
    const denom = deps.minGasPrices[0]?.denom;
    if (denom && deps.bank.getBalance(ctx, feePayer, denom) > 0n) {
      deps.bank.sendCoins(ctx, feePayer, deps.auth.moduleAddress(FeeCollectorName), [{ denom, amount: 1n }]);
    }
  }
  ctx.events.emit(ev.EventTypeTx, [
    [ev.AttributeKeyFee, coinsToString(feeCoins)],
    [ev.AttributeKeyFeePayer, addressToBech32(feePayer)],
  ]);

  // SetPubKey, ValidateSigCount, SigGasConsume, SigVerification, IncrementSequence
  if (BigInt(signers.length) > params.txSigLimit) {
    throw ErrTooManySignatures.wrap(`signatures: ${signers.length}, limit: ${params.txSigLimit}`);
  }
  const accounts: Account[] = [];
  const pubKeys: Uint8Array[] = [];
  signers.forEach((addr, i) => {
    const acc = deps.auth.getAccount(ctx, addr);
    if (!acc) throw ErrUnknownAddress.wrap(`account ${addressToBech32(addr)} does not exist`);
    const info = authInfo.signerInfos[i]!;
    let pubKey = acc.pubKey;
    if (info.publicKey) {
      const given = pubKeyFromAny(info.publicKey);
      if (!bytesEqual(secp256k1Address(given), addr)) {
        throw ErrInvalidPubKey.wrap(
          `pubKey does not match signer address ${addressToBech32(addr)} with signer index: ${i}`,
        );
      }
      if (pubKey && !bytesEqual(pubKey, given))
        throw ErrInvalidPubKey.wrap(`pubKey does not match the account's key at signer index ${i}`);
      pubKey = given;
    }
    if (!pubKey) throw ErrInvalidPubKey.wrap(`pubkey on account ${addressToBech32(addr)} is not set`);
    accounts.push(acc);
    pubKeys.push(pubKey);
  });

  const verifyAll =
    !simulate && !deps.sigCache.matches(txKey, signatureFingerprint(ctx.header.chainId, accounts, pubKeys));
  accounts.forEach((acc, i) => {
    const info = authInfo.signerInfos[i]!;
    ctx.gasMeter.consume(params.sigVerifyCostSecp256k1, 'ante verify: secp256k1');
    if (info.sequence !== acc.sequence) {
      throw ErrWrongSequence.wrap(
        `account sequence mismatch, expected ${acc.sequence}, got ${info.sequence}`,
      );
    }
    // Simulations carry no signature (CosmJS sends SIGN_MODE_UNSPECIFIED): nothing to check.
    if (!simulate && info.modeInfo?.single?.mode !== SignMode.SIGN_MODE_DIRECT) {
      throw ErrNotSupported.wrap('only SIGN_MODE_DIRECT single signatures are accepted');
    }
    if (verifyAll) {
      // Gentxs are signed before accounts have numbers: at genesis the SDK signs with 0.
      const signBytes = directSignBytes(
        raw,
        ctx.header.chainId,
        ctx.header.height === 0n ? 0n : acc.accountNumber,
      );
      const verdict = verifySecp256k1(pubKeys[i]!, signBytes, raw.signatures[i]!);
      if (verdict === 'high-s') throw ErrUnauthorized.wrap('signature is not in lower-S form');
      if (verdict !== 'ok') {
        throw ErrUnauthorized.wrap(
          `signature verification failed; please verify account number (${acc.accountNumber}), sequence (${acc.sequence}) and chain-id (${ctx.header.chainId})`,
        );
      }
    }
  });
  if (verifyAll && ctx.isCheckTx) {
    deps.sigCache.add(txKey, signatureFingerprint(ctx.header.chainId, accounts, pubKeys));
  }

  accounts.forEach((acc, i) => {
    ctx.events.emit(ev.EventTypeTx, [
      [ev.AttributeKeyAccountSequence, `${addressToBech32(acc.address)}/${acc.sequence}`],
    ]);
    ctx.events.emit(ev.EventTypeTx, [
      [ev.AttributeKeySignature, Buffer.from(raw.signatures[i]!).toString('base64')],
    ]);
    // Frozen: the keeper then remembers this very object as the decoding of what it stores.
    deps.auth.setAccount(ctx, Object.freeze({ ...acc, pubKey: pubKeys[i], sequence: acc.sequence + 1n }));
  });

  const first = feeCoins[0];
  const priority = first && gasLimit > 0n ? first.amount / gasLimit : 0n;
  return { signers, fee: feeCoins, priority };
}
