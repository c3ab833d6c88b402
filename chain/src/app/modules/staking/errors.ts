/** x/staking's registered errors (x/staking/types/errors.go, v0.50): same codes, never reused. */
import { registerError } from '../../types/errors.js';
import { ModuleName } from './keys.js';

const r = (code: number, text: string) => registerError(ModuleName, code, text);

export const ErrEmptyValidatorAddr = r(2, 'empty validator address');
export const ErrNoValidatorFound = r(3, 'validator does not exist');
export const ErrValidatorOwnerExists = r(
  4,
  'validator already exist for this operator address; must use new validator operator address',
);
export const ErrValidatorPubKeyExists = r(
  5,
  'validator already exist for this pubkey; must use new validator pubkey',
);
export const ErrValidatorPubKeyTypeNotSupported = r(6, 'validator pubkey type is not supported');
export const ErrValidatorJailed = r(7, 'validator for this address is currently jailed');
export const ErrBadRemoveValidator = r(8, 'failed to remove validator');
export const ErrCommissionNegative = r(9, 'commission must be positive');
export const ErrCommissionHuge = r(10, 'commission cannot be more than 100%');
export const ErrCommissionGTMaxRate = r(11, 'commission cannot be more than the max rate');
export const ErrCommissionUpdateTime = r(12, 'commission cannot be changed more than once in 24h');
export const ErrCommissionChangeRateNegative = r(13, 'commission change rate must be positive');
export const ErrCommissionChangeRateGTMaxRate = r(
  14,
  'commission change rate cannot be more than the max rate',
);
export const ErrCommissionGTMaxChangeRate = r(15, 'commission cannot be changed more than max change rate');
export const ErrSelfDelegationBelowMinimum = r(
  16,
  "validator's self delegation must be greater than their minimum self delegation",
);
export const ErrMinSelfDelegationDecreased = r(17, 'minimum self delegation cannot be decrease');
export const ErrEmptyDelegatorAddr = r(18, 'empty delegator address');
export const ErrNoDelegation = r(19, 'no delegation for (address, validator) tuple');
export const ErrBadDelegatorAddr = r(20, 'delegator does not exist with address');
export const ErrNoDelegatorForAddress = r(21, 'delegator does not contain delegation');
export const ErrInsufficientShares = r(22, 'insufficient delegation shares');
export const ErrDelegationValidatorEmpty = r(23, 'cannot delegate to an empty validator');
export const ErrNotEnoughDelegationShares = r(24, 'not enough delegation shares');
export const ErrNotMature = r(25, 'entry not mature');
export const ErrNoUnbondingDelegation = r(26, 'no unbonding delegation found');
export const ErrMaxUnbondingDelegationEntries = r(
  27,
  'too many unbonding delegation entries for (delegator, validator) tuple',
);
export const ErrNoRedelegation = r(28, 'no redelegation found');
export const ErrSelfRedelegation = r(29, 'cannot redelegate to the same validator');
export const ErrTinyRedelegationAmount = r(30, 'too few tokens to redelegate (truncates to zero tokens)');
export const ErrBadRedelegationDst = r(31, 'redelegation destination validator not found');
export const ErrTransitiveRedelegation = r(
  32,
  'redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation',
);
export const ErrMaxRedelegationEntries = r(
  33,
  'too many redelegation entries for (delegator, src-validator, dst-validator) tuple',
);
export const ErrDelegatorShareExRateInvalid = r(
  34,
  'cannot delegate to validators with invalid (zero) ex-rate',
);
export const ErrBothShareMsgsGiven = r(35, 'both shares amount and shares percent provided');
export const ErrNeitherShareMsgsGiven = r(36, 'neither shares amount nor shares percent provided');
export const ErrInvalidHistoricalInfo = r(37, 'invalid historical info');
export const ErrNoHistoricalInfo = r(38, 'no historical info found');
export const ErrEmptyValidatorPubKey = r(39, 'empty validator public key');
export const ErrCommissionLTMinRate = r(40, 'commission cannot be less than min rate');
export const ErrUnbondingNotFound = r(41, 'unbonding operation not found');
export const ErrUnbondingOnHoldRefCountNegative = r(
  42,
  'cannot un-hold unbonding operation that is not on hold',
);
