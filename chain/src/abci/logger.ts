/** The logging surface the ABCI transport needs. Never pass tx bytes or secrets in fields. */
export interface AbciLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

const noop = () => {};
export const silentLogger: AbciLogger = { info: noop, warn: noop, error: noop, debug: noop };

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
