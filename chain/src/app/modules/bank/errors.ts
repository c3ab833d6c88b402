/** x/bank's registered errors (x/bank/types/errors.go): same codes, never reused. */
import { registerError } from '../../types/errors.js';
import { ModuleName } from './keys.js';

export const ErrNoInputs = registerError(ModuleName, 2, 'no inputs to send transaction');
export const ErrNoOutputs = registerError(ModuleName, 3, 'no outputs to send transaction');
export const ErrInputOutputMismatch = registerError(ModuleName, 4, 'sum inputs != sum outputs');
export const ErrSendDisabled = registerError(ModuleName, 5, 'send transactions are disabled');
export const ErrDenomMetadataNotFound = registerError(ModuleName, 6, 'client denom metadata not found');
export const ErrInvalidKey = registerError(ModuleName, 7, 'invalid key');
export const ErrDuplicateEntry = registerError(ModuleName, 8, 'duplicate entry');
export const ErrMultipleSenders = registerError(ModuleName, 9, 'multiple senders not allowed');
