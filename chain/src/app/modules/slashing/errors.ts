/** x/slashing's registered errors (x/slashing/types/errors.go, v0.50). */
import { registerError } from '../../types/errors.js';
import { ModuleName } from './keys.js';

const r = (code: number, text: string) => registerError(ModuleName, code, text);

export const ErrNoValidatorForAddress = r(2, 'address is not associated with any known validator');
export const ErrBadValidatorAddr = r(3, 'validator does not exist for that address');
export const ErrValidatorJailed = r(4, 'validator still jailed; cannot be unjailed');
export const ErrValidatorNotJailed = r(5, 'validator not jailed; cannot be unjailed');
export const ErrMissingSelfDelegation = r(6, 'validator has no self-delegation; cannot be unjailed');
export const ErrSelfDelegationTooLowToUnjail = r(
  7,
  "validator's self delegation less than minimum; cannot be unjailed",
);
export const ErrNoSigningInfoFound = r(8, 'no validator signing info found');
export const ErrValidatorTombstoned = r(9, 'validator already tombstoned');
export const ErrInvalidSigner = r(10, 'expected authority account as only signer for proposal message');
export const ErrInvalidConsPubKey = r(11, 'invalid consensus pubkey');
