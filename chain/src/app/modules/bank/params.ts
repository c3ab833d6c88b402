import type { Params } from 'cosmjs-types/cosmos/bank/v1beta1/bank';
import { bool, obj } from '../../types/json.js';

export type BankParams = Params;

export const defaultBankParams = (): BankParams => ({ sendEnabled: [], defaultSendEnabled: true });

export function bankParamsFromJson(v: unknown, path: string): BankParams {
  const o = obj(v, path);
  if (Array.isArray(o.send_enabled) && o.send_enabled.length > 0) {
    throw new Error(`${path}.send_enabled is deprecated; use bank.send_enabled at the top level`);
  }
  return {
    sendEnabled: [],
    defaultSendEnabled: bool(o.default_send_enabled, `${path}.default_send_enabled`, true),
  };
}

export const bankParamsToJson = (p: BankParams) => ({
  send_enabled: [],
  default_send_enabled: p.defaultSendEnabled,
});
