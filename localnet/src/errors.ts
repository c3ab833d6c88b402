/** The one error type the localnet reports to its user: a message that says what to do. */
export class LocalnetError extends Error {
  override readonly name = 'LocalnetError';
}
