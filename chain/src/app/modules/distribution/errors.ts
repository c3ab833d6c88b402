/** x/distribution's registered errors (x/distribution/types/errors.go, v0.50). */
import { registerError } from '../../types/errors.js';
import { ModuleName } from './keys.js';

const r = (code: number, text: string) => registerError(ModuleName, code, text);

export const ErrEmptyDelegatorAddr = r(2, 'delegator address is empty');
export const ErrEmptyWithdrawAddr = r(3, 'withdraw address is empty');
export const ErrEmptyValidatorAddr = r(4, 'validator address is empty');
export const ErrEmptyDelegationDistInfo = r(5, 'no delegation distribution info');
export const ErrNoValidatorDistInfo = r(6, 'no validator distribution info');
export const ErrNoValidatorCommission = r(7, 'no validator commission to withdraw');
export const ErrSetWithdrawAddrDisabled = r(8, 'set withdraw address disabled');
export const ErrBadDistribution = r(9, 'community pool does not have sufficient coins to distribute');
export const ErrInvalidProposalAmount = r(10, 'invalid community pool spend proposal amount');
export const ErrEmptyProposalRecipient = r(11, 'invalid community pool spend proposal recipient');
export const ErrNoValidatorExists = r(12, 'validator does not exist');
export const ErrNoDelegationExists = r(13, 'delegation does not exist');
