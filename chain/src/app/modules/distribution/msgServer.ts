/** `cosmos.distribution.v1beta1.Msg`: withdraw rewards and commission, withdraw address, community pool. */
import {
  MsgFundCommunityPool,
  MsgFundCommunityPoolResponse,
  MsgSetWithdrawAddress,
  MsgSetWithdrawAddressResponse,
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
} from 'cosmjs-types/cosmos/distribution/v1beta1/tx';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressFromBech32, VALOPER_PREFIX } from '../../types/address.js';
import { coinsFromProto, coinsToProto } from '../../types/coins.js';
import { ErrInvalidCoins } from '../../types/errors.js';
import type { MsgHandler } from '../../types/module.js';
import { ErrEmptyDelegatorAddr, ErrEmptyValidatorAddr, ErrEmptyWithdrawAddr } from './errors.js';
import type { DistributionKeeper } from './keeper.js';

const delAddr = (t: string) => {
  if (t === '') throw ErrEmptyDelegatorAddr;
  return addressFromBech32(t);
};
const valAddr = (t: string) => {
  if (t === '') throw ErrEmptyValidatorAddr;
  return addressFromBech32(t, VALOPER_PREFIX);
};

export function distributionMsgHandlers(k: DistributionKeeper): MsgHandler<any>[] {
  const setWithdraw: MsgHandler<MsgSetWithdrawAddress> = {
    typeUrl: '/cosmos.distribution.v1beta1.MsgSetWithdrawAddress',
    decode: (b) => MsgSetWithdrawAddress.decode(b),
    signers: (m) => [delAddr(m.delegatorAddress)],
    validateBasic(m) {
      delAddr(m.delegatorAddress);
      if (m.withdrawAddress === '') throw ErrEmptyWithdrawAddr;
      addressFromBech32(m.withdrawAddress);
    },
    handle(ctx, m) {
      k.setWithdrawAddr(ctx, delAddr(m.delegatorAddress), addressFromBech32(m.withdrawAddress));
      return {
        typeUrl: '/cosmos.distribution.v1beta1.MsgSetWithdrawAddressResponse',
        value: encodeProto(MsgSetWithdrawAddressResponse, {}),
      };
    },
  };

  const withdrawReward: MsgHandler<MsgWithdrawDelegatorReward> = {
    typeUrl: '/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward',
    decode: (b) => MsgWithdrawDelegatorReward.decode(b),
    signers: (m) => [delAddr(m.delegatorAddress)],
    validateBasic(m) {
      delAddr(m.delegatorAddress);
      valAddr(m.validatorAddress);
    },
    handle(ctx, m) {
      const amount = k.withdrawDelegatorReward(ctx, delAddr(m.delegatorAddress), valAddr(m.validatorAddress));
      return {
        typeUrl: '/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse',
        value: encodeProto(MsgWithdrawDelegatorRewardResponse, { amount: coinsToProto(amount) }),
      };
    },
  };

  const withdrawCommission: MsgHandler<MsgWithdrawValidatorCommission> = {
    typeUrl: '/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission',
    decode: (b) => MsgWithdrawValidatorCommission.decode(b),
    signers: (m) => [valAddr(m.validatorAddress)],
    validateBasic: (m) => void valAddr(m.validatorAddress),
    handle(ctx, m) {
      const amount = k.withdrawValidatorCommission(ctx, valAddr(m.validatorAddress));
      return {
        typeUrl: '/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommissionResponse',
        value: encodeProto(MsgWithdrawValidatorCommissionResponse, { amount: coinsToProto(amount) }),
      };
    },
  };

  const fund: MsgHandler<MsgFundCommunityPool> = {
    typeUrl: '/cosmos.distribution.v1beta1.MsgFundCommunityPool',
    decode: (b) => MsgFundCommunityPool.decode(b),
    signers: (m) => [addressFromBech32(m.depositor)],
    validateBasic(m) {
      addressFromBech32(m.depositor);
      if (coinsFromProto(m.amount).length === 0) throw ErrInvalidCoins.wrap('amount must not be empty');
    },
    handle(ctx, m) {
      k.fundCommunityPool(ctx, coinsFromProto(m.amount), addressFromBech32(m.depositor));
      return {
        typeUrl: '/cosmos.distribution.v1beta1.MsgFundCommunityPoolResponse',
        value: encodeProto(MsgFundCommunityPoolResponse, {}),
      };
    },
  };

  return [setWithdraw, withdrawReward, withdrawCommission, fund];
}
