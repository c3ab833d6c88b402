/** `cosmos.bank.v1beta1.Msg`: one thin handler per message — validate, call the keeper. */
import {
  MsgMultiSend,
  MsgMultiSendResponse,
  MsgSend,
  MsgSendResponse,
} from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { decodeProto } from '../../../codec/protoReader.js';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import { addCoins, type Coins, coinsEqual, coinsFromProto } from '../../types/coins.js';
import { ErrInvalidCoins, ErrUnauthorized } from '../../types/errors.js';
import type { MsgHandler } from '../../types/module.js';
import { ErrInputOutputMismatch, ErrMultipleSenders, ErrNoInputs, ErrNoOutputs } from './errors.js';
import type { BankKeeper } from './keeper.js';

function nonEmptyCoins(coins: { denom: string; amount: string }[], what: string): Coins {
  const parsed = coinsFromProto(coins);
  if (parsed.length === 0) throw ErrInvalidCoins.wrap(`${what} must not be empty`);
  return parsed;
}

export function bankMsgHandlers(k: BankKeeper): MsgHandler<any>[] {
  const send: MsgHandler<MsgSend> = {
    typeUrl: '/cosmos.bank.v1beta1.MsgSend',
    decode: (b) => decodeProto(MsgSend, b),
    signers: (m) => [addressFromBech32(m.fromAddress)],
    validateBasic(m) {
      addressFromBech32(m.fromAddress);
      addressFromBech32(m.toAddress);
      nonEmptyCoins(m.amount, 'amount');
    },
    handle(ctx, m) {
      const from = addressFromBech32(m.fromAddress);
      const to = addressFromBech32(m.toAddress);
      const coins = nonEmptyCoins(m.amount, 'amount');
      k.assertSendEnabled(ctx, coins);
      if (k.isBlockedAddress(to))
        throw ErrUnauthorized.wrap(`${m.toAddress} is not allowed to receive funds`);
      k.sendCoins(ctx, from, to, coins);
      return { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: encodeProto(MsgSendResponse, {}) };
    },
  };

  const multiSend: MsgHandler<MsgMultiSend> = {
    typeUrl: '/cosmos.bank.v1beta1.MsgMultiSend',
    decode: (b) => MsgMultiSend.decode(b),
    signers: (m) => m.inputs.slice(0, 1).map((i) => addressFromBech32(i.address)),
    validateBasic(m) {
      if (m.inputs.length === 0) throw ErrNoInputs;
      if (m.inputs.length > 1) throw ErrMultipleSenders;
      if (m.outputs.length === 0) throw ErrNoOutputs;
      const input = m.inputs[0]!;
      addressFromBech32(input.address);
      const inSum = nonEmptyCoins(input.coins, 'input coins');
      let outSum: Coins = [];
      for (const o of m.outputs) {
        addressFromBech32(o.address);
        outSum = addCoins(outSum, nonEmptyCoins(o.coins, 'output coins'));
      }
      if (!coinsEqual(inSum, outSum)) throw ErrInputOutputMismatch;
    },
    handle(ctx, m) {
      const input = m.inputs[0]!;
      const inCoins = coinsFromProto(input.coins);
      k.assertSendEnabled(ctx, inCoins);
      const outputs = m.outputs.map((o) => {
        const address = addressFromBech32(o.address);
        if (k.isBlockedAddress(address))
          throw ErrUnauthorized.wrap(`${addressToBech32(address)} is not allowed to receive funds`);
        return { address, coins: coinsFromProto(o.coins) };
      });
      k.inputOutputCoins(ctx, { address: addressFromBech32(input.address), coins: inCoins }, outputs);
      return {
        typeUrl: '/cosmos.bank.v1beta1.MsgMultiSendResponse',
        value: encodeProto(MsgMultiSendResponse, {}),
      };
    },
  };

  return [send, multiSend];
}
