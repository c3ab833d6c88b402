/** `hearth.provider.v1.Msg`: thin handlers — validate, call the keeper. */
import { providerV1 } from '@hearth/sdk';
import { addressFromBech32 } from '../../types/address.js';
import { ErrInvalidRequest, ErrUnauthorized } from '../../types/errors.js';
import type { MsgHandler } from '../../types/module.js';
import { anyOf, type TsProtoCodec } from '../../types/tsproto.js';
import { singleCoin } from '../escrow/msgServer.js';
import { ErrInvalidAttributes } from './errors.js';
import * as ev from './events.js';
import { type ProviderKeeper, validateAttributes, validateHostUri, validateInfo } from './keeper.js';
import { validateProviderParams } from './params.js';

type Signed = { owner?: string; auditor?: string; authority?: string };

function handler<T extends Signed>(
  codec: TsProtoCodec<T>,
  response: TsProtoCodec<any>,
  signer: keyof Signed,
  validate: (m: T) => void,
  run: (ctx: Parameters<MsgHandler<T>['handle']>[0], m: T, signer: Uint8Array) => unknown,
): MsgHandler<T> {
  return {
    typeUrl: `/${codec.$type}`,
    decode: (b) => codec.decode(b),
    signers: (m) => [addressFromBech32(m[signer] ?? '')],
    validateBasic(m) {
      addressFromBech32(m[signer] ?? '');
      validate(m);
    },
    handle(ctx, m) {
      validate(m);
      const out = run(ctx, m, addressFromBech32(m[signer] ?? ''));
      return anyOf(response, (out ?? {}) as never);
    },
  };
}

function describe(m: {
  hostUri: string;
  attributes: providerV1.Attribute[];
  info?: providerV1.ProviderInfo;
}) {
  validateHostUri(m.hostUri);
  validateAttributes(m.attributes);
  validateInfo(m.info);
}

export function providerMsgHandlers(k: ProviderKeeper): MsgHandler<any>[] {
  const P = providerV1;
  return [
    handler(
      P.MsgUpdateParams,
      P.MsgUpdateParamsResponse,
      'authority',
      (m) => {
        if (!m.params) throw ErrInvalidRequest.wrap('params are required');
        validateProviderParams(m.params);
      },
      (ctx, m, authority) => {
        if (Buffer.compare(authority, k.authority) !== 0)
          throw ErrUnauthorized.wrap('only the governance authority may update provider params');
        k.setParams(ctx, m.params!);
        ctx.events.emit(ev.EventTypeParamsUpdated, [['authority', m.authority]]);
      },
    ),
    handler(P.MsgCreateProvider, P.MsgCreateProviderResponse, 'owner', describe, (ctx, m, owner) =>
      k.createProvider(ctx, owner, m.hostUri, m.attributes, m.info),
    ),
    handler(P.MsgUpdateProvider, P.MsgUpdateProviderResponse, 'owner', describe, (ctx, m, owner) =>
      k.updateProvider(ctx, owner, m.hostUri, m.attributes, m.info),
    ),
    handler(
      P.MsgDeleteProvider,
      P.MsgDeleteProviderResponse,
      'owner',
      () => {},
      (ctx, _m, owner) => k.deleteProvider(ctx, owner),
    ),
    handler(
      P.MsgBondProvider,
      P.MsgBondProviderResponse,
      'owner',
      (m) => void singleCoin(m.amount, 'amount'),
      (ctx, m, owner) => k.bond(ctx, owner, singleCoin(m.amount, 'amount')),
    ),
    handler(
      P.MsgUnbondProvider,
      P.MsgUnbondProviderResponse,
      'owner',
      (m) => void singleCoin(m.amount, 'amount'),
      (ctx, m, owner) => ({
        completionHeight: k.unbond(ctx, owner, singleCoin(m.amount, 'amount')),
      }),
    ),
    handler(
      P.MsgSetProviderStatus,
      P.MsgSetProviderStatusResponse,
      'owner',
      (m) => {
        const ok = [
          P.ProviderStatus.PROVIDER_STATUS_ACTIVE,
          P.ProviderStatus.PROVIDER_STATUS_MAINTENANCE,
          P.ProviderStatus.PROVIDER_STATUS_DEACTIVATED,
        ];
        if (!ok.includes(m.status))
          throw ErrInvalidRequest.wrap(`status ${m.status} cannot be set by a message`);
      },
      (ctx, m, owner) => k.setStatus(ctx, owner, m.status),
    ),
    handler(
      P.MsgSignAttributes,
      P.MsgSignAttributesResponse,
      'auditor',
      (m) => {
        addressFromBech32(m.owner);
        validateAttributes(m.attributes, false);
      },
      (ctx, m, auditor) => k.signAttributes(ctx, auditor, addressFromBech32(m.owner), m.attributes),
    ),
    handler(
      P.MsgDeleteAttributes,
      P.MsgDeleteAttributesResponse,
      'auditor',
      (m) => {
        addressFromBech32(m.owner);
        if (new Set(m.keys).size !== m.keys.length) throw ErrInvalidAttributes.wrap('duplicate keys');
        if (m.keys.length > 64) throw ErrInvalidAttributes.wrap('more than 64 keys');
      },
      (ctx, m, auditor) => k.deleteAttributes(ctx, auditor, addressFromBech32(m.owner), m.keys),
    ),
    handler(
      P.MsgProviderHeartbeat,
      P.MsgProviderHeartbeatResponse,
      'owner',
      () => {},
      (ctx, _m, owner) => k.heartbeat(ctx, owner),
    ),
  ];
}
