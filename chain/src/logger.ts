/**
 * A small structured logger: one line per entry on stderr, `key=value` text or JSON, with
 * levels and child loggers per subsystem. Callers pass facts, never secrets or raw tx bytes.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(module: string): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function parseLogLevel(text: string): LogLevel {
  if (text in RANK) return text as LogLevel;
  throw new Error(`invalid log level ${JSON.stringify(text)}; use debug, info, warn or error`);
}

function fmtValue(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex').toUpperCase();
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
}

export function createLogger(
  opts: { level?: LogLevel; format?: 'text' | 'json'; module?: string; write?: (line: string) => void } = {},
): Logger {
  const level = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const format = opts.format ?? 'text';
  const make = (module: string | undefined): Logger => {
    const log = (lvl: LogLevel, msg: string, fields: LogFields = {}) => {
      if (RANK[lvl] < level) return;
      const ts = new Date().toISOString();
      if (format === 'json') {
        write(
          JSON.stringify({ ts, level: lvl, module, msg, ...fields }, (_, x) =>
            typeof x === 'bigint'
              ? x.toString()
              : x instanceof Uint8Array
                ? Buffer.from(x).toString('hex')
                : x,
          ),
        );
        return;
      }
      const extra = Object.entries(fields)
        .map(([k, v]) => `${k}=${fmtValue(v)}`)
        .join(' ');
      write(
        `${ts} ${lvl.toUpperCase().padEnd(5)} ${module ? `[${module}] ` : ''}${msg}${extra ? ` ${extra}` : ''}`,
      );
    };
    return {
      debug: (m, f) => log('debug', m, f),
      info: (m, f) => log('info', m, f),
      warn: (m, f) => log('warn', m, f),
      error: (m, f) => log('error', m, f),
      child: (name) => make(module ? `${module}.${name}` : name),
    };
  };
  return make(opts.module);
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
