import { Params } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { obj, uint } from '../../types/json.js';

export type AuthParams = Params;

/** The Cosmos SDK's defaults (x/auth/types/params.go). */
export const defaultAuthParams = (): AuthParams => ({
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostEd25519: 590n,
  sigVerifyCostSecp256k1: 1000n,
});

export function validateAuthParams(p: AuthParams): void {
  for (const [k, v] of Object.entries(p)) {
    if (typeof v !== 'bigint' || v <= 0n)
      throw new Error(`invalid auth params: ${k} must be positive, got ${v}`);
  }
}

export function authParamsFromJson(v: unknown, path: string): AuthParams {
  const o = obj(v, path);
  const d = defaultAuthParams();
  const p: AuthParams = {
    maxMemoCharacters: uint(o.max_memo_characters, `${path}.max_memo_characters`, d.maxMemoCharacters),
    txSigLimit: uint(o.tx_sig_limit, `${path}.tx_sig_limit`, d.txSigLimit),
    txSizeCostPerByte: uint(o.tx_size_cost_per_byte, `${path}.tx_size_cost_per_byte`, d.txSizeCostPerByte),
    sigVerifyCostEd25519: uint(
      o.sig_verify_cost_ed25519,
      `${path}.sig_verify_cost_ed25519`,
      d.sigVerifyCostEd25519,
    ),
    sigVerifyCostSecp256k1: uint(
      o.sig_verify_cost_secp256k1,
      `${path}.sig_verify_cost_secp256k1`,
      d.sigVerifyCostSecp256k1,
    ),
  };
  validateAuthParams(p);
  return p;
}

export function authParamsToJson(p: AuthParams) {
  return {
    max_memo_characters: p.maxMemoCharacters.toString(),
    tx_sig_limit: p.txSigLimit.toString(),
    tx_size_cost_per_byte: p.txSizeCostPerByte.toString(),
    sig_verify_cost_ed25519: p.sigVerifyCostEd25519.toString(),
    sig_verify_cost_secp256k1: p.sigVerifyCostSecp256k1.toString(),
  };
}

export { Params as AuthParamsCodec };
