/**
 * Genesis transactions: the SDK's proto-JSON `Tx` (what `hearth genesis gentx` writes and
 * `collect-gentxs` gathers into `app_state.genutil.gen_txs`) converted to and from `TxRaw`
 * bytes. Only what a gentx contains is supported: MsgCreateValidator messages, secp256k1
 * signers in SIGN_MODE_DIRECT, no extension options. The protobuf encoding is the canonical
 * one (fields in order, defaults omitted), which is also what CosmJS signs, so the bytes
 * rebuilt from JSON are the bytes that were signed.
 */
import { PubKey as Ed25519PubKey } from 'cosmjs-types/cosmos/crypto/ed25519/keys';
import { PubKey as Secp256k1PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { MsgCreateValidator } from 'cosmjs-types/cosmos/staking/v1beta1/tx';
import { SignMode, signModeFromJSON, signModeToJSON } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { encodeProto } from '../../../codec/protoWriter.js';
import { arr, at, GenesisError, obj, str, uint } from '../../types/json.js';
import { decFromProto, decFromString, decToProto, decToString } from '../../types/legacyDec.js';

export const MsgCreateValidatorTypeUrl = '/cosmos.staking.v1beta1.MsgCreateValidator';
const Ed25519TypeUrl = '/cosmos.crypto.ed25519.PubKey';
const Secp256k1TypeUrl = '/cosmos.crypto.secp256k1.PubKey';

function b64(v: unknown, path: string): Uint8Array {
  const s = str(v, path);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
    throw new GenesisError(path, 'expected base64');
  return new Uint8Array(Buffer.from(s, 'base64'));
}

const toB64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function coinJson(v: unknown, path: string): { denom: string; amount: string } {
  const o = obj(v, path);
  const amount = str(o.amount, `${path}.amount`);
  if (!/^[0-9]{1,78}$/.test(amount)) throw new GenesisError(`${path}.amount`, 'expected an integer string');
  return { denom: str(o.denom, `${path}.denom`), amount };
}

function createValidatorFromJson(v: Record<string, unknown>, path: string): MsgCreateValidator {
  const d = obj(v.description, `${path}.description`);
  const c = obj(v.commission, `${path}.commission`);
  const pk = obj(v.pubkey, `${path}.pubkey`);
  if (pk['@type'] !== Ed25519TypeUrl)
    throw new GenesisError(
      `${path}.pubkey`,
      `consensus key must be ${Ed25519TypeUrl}, got ${String(pk['@type'])}`,
    );
  const key = b64(pk.key, `${path}.pubkey.key`);
  if (key.length !== 32) throw new GenesisError(`${path}.pubkey.key`, 'ed25519 key must be 32 bytes');
  const rate = (name: string) =>
    at(`${path}.commission.${name}`, () =>
      decToProto(decFromString(str(c[name], `${path}.commission.${name}`))),
    );
  return {
    description: {
      moniker: str(d.moniker, `${path}.description.moniker`, true),
      identity: str(d.identity, `${path}.description.identity`, true),
      website: str(d.website, `${path}.description.website`, true),
      securityContact: str(d.security_contact, `${path}.description.security_contact`, true),
      details: str(d.details, `${path}.description.details`, true),
    },
    commission: { rate: rate('rate'), maxRate: rate('max_rate'), maxChangeRate: rate('max_change_rate') },
    minSelfDelegation: str(v.min_self_delegation, `${path}.min_self_delegation`),
    delegatorAddress: str(v.delegator_address, `${path}.delegator_address`, true),
    validatorAddress: str(v.validator_address, `${path}.validator_address`),
    pubkey: { typeUrl: Ed25519TypeUrl, value: encodeProto(Ed25519PubKey, { key }) },
    value: coinJson(v.value, `${path}.value`),
  };
}

function createValidatorToJson(m: MsgCreateValidator) {
  return {
    '@type': MsgCreateValidatorTypeUrl,
    description: {
      moniker: m.description.moniker,
      identity: m.description.identity,
      website: m.description.website,
      security_contact: m.description.securityContact,
      details: m.description.details,
    },
    commission: {
      rate: decToString(decFromProto(m.commission.rate)),
      max_rate: decToString(decFromProto(m.commission.maxRate)),
      max_change_rate: decToString(decFromProto(m.commission.maxChangeRate)),
    },
    min_self_delegation: m.minSelfDelegation,
    delegator_address: m.delegatorAddress,
    validator_address: m.validatorAddress,
    pubkey: { '@type': Ed25519TypeUrl, key: toB64(Ed25519PubKey.decode(m.pubkey!.value).key) },
    value: m.value,
  };
}

/** A gentx in proto JSON -> TxRaw bytes; also returns the decoded MsgCreateValidator(s). */
export function genTxJsonToRaw(v: unknown, path: string): { raw: Uint8Array; msgs: MsgCreateValidator[] } {
  const tx = obj(v, path);
  const body = obj(tx.body, `${path}.body`);
  const msgs = arr(body.messages, `${path}.body.messages`).map((m, i) => {
    const mo = obj(m, `${path}.body.messages[${i}]`);
    if (mo['@type'] !== MsgCreateValidatorTypeUrl)
      throw new GenesisError(
        `${path}.body.messages[${i}]`,
        `expected ${MsgCreateValidatorTypeUrl}, got ${String(mo['@type'])}`,
      );
    return createValidatorFromJson(mo, `${path}.body.messages[${i}]`);
  });
  for (const f of ['extension_options', 'non_critical_extension_options'])
    if (arr(body[f], `${path}.body.${f}`, true).length > 0)
      throw new GenesisError(`${path}.body.${f}`, 'extension options are not supported');
  const bodyBytes = encodeProto(TxBody, {
    messages: msgs.map((m) => ({
      typeUrl: MsgCreateValidatorTypeUrl,
      value: encodeProto(MsgCreateValidator, m),
    })),
    memo: str(body.memo, `${path}.body.memo`, true),
    timeoutHeight: uint(body.timeout_height, `${path}.body.timeout_height`, 0n),
    unordered: false,
    timeoutTimestamp: undefined,
    extensionOptions: [],
    nonCriticalExtensionOptions: [],
  });
  const auth = obj(tx.auth_info, `${path}.auth_info`);
  const signerInfos = arr(auth.signer_infos, `${path}.auth_info.signer_infos`).map((s, i) => {
    const p = `${path}.auth_info.signer_infos[${i}]`;
    const so = obj(s, p);
    const pk = obj(so.public_key, `${p}.public_key`);
    if (pk['@type'] !== Secp256k1TypeUrl)
      throw new GenesisError(`${p}.public_key`, `expected ${Secp256k1TypeUrl}`);
    const single = obj(obj(so.mode_info, `${p}.mode_info`).single, `${p}.mode_info.single`);
    const mode = signModeFromJSON(single.mode);
    if (mode !== SignMode.SIGN_MODE_DIRECT && mode !== SignMode.SIGN_MODE_LEGACY_AMINO_JSON)
      throw new GenesisError(`${p}.mode_info.single.mode`, 'unsupported sign mode');
    return {
      publicKey: {
        typeUrl: Secp256k1TypeUrl,
        value: encodeProto(Secp256k1PubKey, { key: b64(pk.key, `${p}.public_key.key`) }),
      },
      modeInfo: { single: { mode } },
      sequence: uint(so.sequence, `${p}.sequence`, 0n),
    };
  });
  const fee = obj(auth.fee ?? {}, `${path}.auth_info.fee`);
  const authInfoBytes = encodeProto(AuthInfo, {
    signerInfos,
    fee: {
      amount: arr(fee.amount, `${path}.auth_info.fee.amount`, true).map((c, i) =>
        coinJson(c, `${path}.auth_info.fee.amount[${i}]`),
      ),
      gasLimit: uint(fee.gas_limit, `${path}.auth_info.fee.gas_limit`, 0n),
      payer: str(fee.payer, `${path}.auth_info.fee.payer`, true),
      granter: str(fee.granter, `${path}.auth_info.fee.granter`, true),
    },
  });
  const signatures = arr(tx.signatures, `${path}.signatures`).map((s, i) =>
    b64(s, `${path}.signatures[${i}]`),
  );
  return { raw: encodeProto(TxRaw, { bodyBytes, authInfoBytes, signatures }), msgs };
}

/** TxRaw bytes of a signed gentx -> the proto JSON that `gen_txs` holds (for `hearth genesis gentx`). */
export function genTxRawToJson(raw: Uint8Array) {
  const tx = TxRaw.decode(raw);
  const body = TxBody.decode(tx.bodyBytes);
  const auth = AuthInfo.decode(tx.authInfoBytes);
  return {
    body: {
      messages: body.messages.map((m) => {
        if (m.typeUrl !== MsgCreateValidatorTypeUrl)
          throw new Error(`a gentx may only hold ${MsgCreateValidatorTypeUrl}`);
        return createValidatorToJson(MsgCreateValidator.decode(m.value));
      }),
      memo: body.memo,
      timeout_height: body.timeoutHeight.toString(),
      extension_options: [],
      non_critical_extension_options: [],
    },
    auth_info: {
      signer_infos: auth.signerInfos.map((s) => ({
        public_key: { '@type': Secp256k1TypeUrl, key: toB64(Secp256k1PubKey.decode(s.publicKey!.value).key) },
        mode_info: {
          single: { mode: signModeToJSON(s.modeInfo?.single?.mode ?? SignMode.SIGN_MODE_DIRECT) },
        },
        sequence: s.sequence.toString(),
      })),
      fee: {
        amount: auth.fee?.amount ?? [],
        gas_limit: (auth.fee?.gasLimit ?? 0n).toString(),
        payer: auth.fee?.payer ?? '',
        granter: auth.fee?.granter ?? '',
      },
      tip: null,
    },
    signatures: tx.signatures.map(toB64),
  };
}
