/** `cosmos.slashing.v1beta1.Msg/Unjail`. */
import { MsgUnjail, MsgUnjailResponse } from 'cosmjs-types/cosmos/slashing/v1beta1/tx';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressFromBech32, VALOPER_PREFIX } from '../../types/address.js';
import { ErrInvalidAddress } from '../../types/errors.js';
import type { MsgHandler } from '../../types/module.js';
import * as ev from './events.js';
import type { SlashingKeeper } from './keeper.js';

const valAddr = (t: string) => {
  if (t === '') throw ErrInvalidAddress.wrap('validator input address cannot be empty');
  return addressFromBech32(t, VALOPER_PREFIX);
};

export function slashingMsgHandlers(k: SlashingKeeper): MsgHandler<any>[] {
  const unjail: MsgHandler<MsgUnjail> = {
    typeUrl: '/cosmos.slashing.v1beta1.MsgUnjail',
    decode: (b) => MsgUnjail.decode(b),
    signers: (m) => [valAddr(m.validatorAddr)],
    validateBasic: (m) => void valAddr(m.validatorAddr),
    handle(ctx, m) {
      k.unjail(ctx, valAddr(m.validatorAddr));
      ctx.events.emit(ev.EventTypeUnjail, [[ev.AttributeKeyValidator, m.validatorAddr]]);
      return {
        typeUrl: '/cosmos.slashing.v1beta1.MsgUnjailResponse',
        value: encodeProto(MsgUnjailResponse, {}),
      };
    },
  };
  return [unjail];
}
