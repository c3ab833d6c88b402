/** `hearth.escrow.v1.Msg`: thin handlers — validate, call the keeper. */
import { escrowV1 } from '@hearth/sdk';
import { addressFromBech32 } from '../../types/address.js';
import { coinsFromProto } from '../../types/coins.js';
import { ErrInvalidCoins, ErrInvalidRequest, ErrUnauthorized } from '../../types/errors.js';
import type { MsgHandler } from '../../types/module.js';
import { anyOf } from '../../types/tsproto.js';
import * as ev from './events.js';
import type { EscrowKeeper } from './keeper.js';
import { validateEscrowParams } from './params.js';

export function singleCoin(c: { denom: string; amount: string } | undefined, what: string) {
  if (!c) throw ErrInvalidCoins.wrap(`${what} is missing`);
  const [x] = coinsFromProto([c]);
  if (!x) throw ErrInvalidCoins.wrap(`${what} must be positive`);
  return x;
}

export function escrowMsgHandlers(k: EscrowKeeper): MsgHandler<any>[] {
  const updateParams: MsgHandler<escrowV1.MsgUpdateParams> = {
    typeUrl: '/hearth.escrow.v1.MsgUpdateParams',
    decode: (b) => escrowV1.MsgUpdateParams.decode(b),
    signers: (m) => [addressFromBech32(m.authority)],
    validateBasic(m) {
      addressFromBech32(m.authority);
      if (!m.params) throw ErrInvalidRequest.wrap('params are required');
      validateEscrowParams(m.params);
    },
    handle(ctx, m) {
      if (Buffer.compare(addressFromBech32(m.authority), k.authority) !== 0)
        throw ErrUnauthorized.wrap('only the governance authority may update escrow params');
      validateEscrowParams(m.params!);
      k.setParams(ctx, m.params!);
      ctx.events.emit(ev.EventTypeParamsUpdated, [['take_rate_bps', String(m.params!.takeRateBps)]]);
      return anyOf(escrowV1.MsgUpdateParamsResponse, {});
    },
  };

  const deposit: MsgHandler<escrowV1.MsgDepositDeployment> = {
    typeUrl: '/hearth.escrow.v1.MsgDepositDeployment',
    decode: (b) => escrowV1.MsgDepositDeployment.decode(b),
    signers: (m) => [addressFromBech32(m.depositor)],
    validateBasic(m) {
      addressFromBech32(m.depositor);
      addressFromBech32(m.owner);
      if (m.dseq === 0n) throw ErrInvalidRequest.wrap('dseq must be positive');
      singleCoin(m.amount, 'amount');
    },
    handle(ctx, m) {
      k.deposit(
        ctx,
        addressFromBech32(m.owner),
        m.dseq,
        addressFromBech32(m.depositor),
        singleCoin(m.amount, 'amount'),
      );
      return anyOf(escrowV1.MsgDepositDeploymentResponse, {});
    },
  };

  const withdraw: MsgHandler<escrowV1.MsgWithdrawLease> = {
    typeUrl: '/hearth.escrow.v1.MsgWithdrawLease',
    decode: (b) => escrowV1.MsgWithdrawLease.decode(b),
    signers: (m) => [addressFromBech32(m.provider)],
    validateBasic(m) {
      addressFromBech32(m.provider);
      addressFromBech32(m.owner);
      if (m.dseq === 0n || m.gseq === 0 || m.oseq === 0)
        throw ErrInvalidRequest.wrap('dseq, gseq and oseq must be positive');
    },
    handle(ctx, m) {
      const provider = addressFromBech32(m.provider);
      const id = { owner: addressFromBech32(m.owner), dseq: m.dseq, gseq: m.gseq, oseq: m.oseq, provider };
      const amount = k.withdraw(ctx, id, provider);
      const denom = k.getPayment(ctx, id)?.balance?.denom ?? '';
      return anyOf(escrowV1.MsgWithdrawLeaseResponse, { amount: { denom, amount: amount.toString() } });
    },
  };

  return [updateParams, deposit, withdraw];
}
