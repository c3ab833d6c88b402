/** Store layout of x/auth as the Cosmos SDK v0.50 collections lay it out. Never renumber. */
import { concatBytes, u64BE } from '../../types/keys.js';

export const ModuleName = 'auth';
export const StoreKey = 'acc';

export const ParamsKey = Uint8Array.of(0x00);
export const AccountsPrefix = Uint8Array.of(0x01);
export const GlobalAccountNumberKey = Uint8Array.of(0x02);
export const AccountNumberIndexPrefix = Uint8Array.of(0x03);

export const accountKey = (addr: Uint8Array) => concatBytes(AccountsPrefix, addr);
export const accountNumberKey = (num: bigint) => concatBytes(AccountNumberIndexPrefix, u64BE(num));

export const FeeCollectorName = 'fee_collector';

/** Module account permissions (`authtypes.Minter` etc.). */
export const Minter = 'minter';
export const Burner = 'burner';
export const Staking = 'staking';
