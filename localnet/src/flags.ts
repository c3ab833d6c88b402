/**
 * `pnpm localnet [start|stop|status|reset] [flags]`: the command line, checked at the boundary
 * so that every mistake gets a message naming the flag and what it accepts.
 */
import { resolve } from 'node:path';
import { LocalnetError } from './errors.js';

export const DEFAULT_VALIDATORS = 4;
export const DEFAULT_BASE_PORT = 26656;
export const DEFAULT_HOME = '.localnet';
export const DEFAULT_CHAIN_ID = 'hearth-localnet-1';
/** Node i uses base + PORT_STRIDE·i and the next few ports (see ports.ts). */
export const PORT_STRIDE = 100;
/** The highest offset a node uses above its own base (Prometheus, as CometBFT's 26660). */
export const PORT_SPAN = 4;
export const MAX_VALIDATORS = 64;

export type Subcommand = 'start' | 'stop' | 'status' | 'reset';
const SUBCOMMANDS: readonly Subcommand[] = ['start', 'stop', 'status', 'reset'];

export interface StartFlags {
  validators: number;
  basePort: number;
  chainId: string;
  detach: boolean;
  /** Which of the above the user typed (an existing localnet keeps its own otherwise). */
  explicit: { validators: boolean; basePort: boolean; chainId: boolean };
}

export interface ParsedArgs {
  command: Subcommand | 'help';
  /** Absolute path of the localnet directory. */
  home: string;
  start: StartFlags;
}

export const USAGE = `Usage: pnpm localnet [start|stop|status|reset] [flags]

  start (default)   generate (first time) and run an N-validator network on this machine
  stop              stop every node of the localnet in --home
  status            height, app hash and peers of every node
  reset             stop, then delete the localnet directory

Flags:
  --home DIR        localnet directory (default ${DEFAULT_HOME}/)
  --validators N    number of validators, 1..${MAX_VALIDATORS} (start; default ${DEFAULT_VALIDATORS})
  --base-port P     node i listens on P+${PORT_STRIDE}·i (p2p), +1 (RPC), +2 (ABCI), +4 (metrics)
                    (start; default ${DEFAULT_BASE_PORT})
  --chain-id ID     chain id of a new localnet (start; default ${DEFAULT_CHAIN_ID})
  --detach          return once the first block is committed, leaving the nodes running (start)
  -h, --help        this text
`;

const CHAIN_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,48}$/;

function parseInteger(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new LocalnetError(`${flag} expects a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Checks that N nodes starting at basePort fit below 65536. */
export function checkPortRange(validators: number, basePort: number): void {
  if (basePort < 1024 || basePort > 65535)
    throw new LocalnetError(`--base-port must be between 1024 and 65535, got ${basePort}`);
  const last = basePort + PORT_STRIDE * (validators - 1) + PORT_SPAN;
  if (last > 65535) {
    throw new LocalnetError(
      `--base-port ${basePort} with ${validators} validators needs ports up to ${last}, above 65535; use a lower --base-port`,
    );
  }
}

/** Parses `argv` without the `node script` prefix. */
export function parseArgs(argv: readonly string[], cwd = process.cwd()): ParsedArgs {
  let command: Subcommand | 'help' | undefined;
  let home = DEFAULT_HOME;
  const start: StartFlags = {
    validators: DEFAULT_VALIDATORS,
    basePort: DEFAULT_BASE_PORT,
    chainId: DEFAULT_CHAIN_ID,
    detach: false,
    explicit: { validators: false, basePort: false, chainId: false },
  };
  const startOnly: string[] = [];
  const args = [...argv];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--') continue; // `pnpm localnet -- --detach` forwards a separator
    if (!arg.startsWith('-')) {
      if (command !== undefined)
        throw new LocalnetError(`unexpected argument ${JSON.stringify(arg)} after "${command}"`);
      if (!(SUBCOMMANDS as readonly string[]).includes(arg)) {
        throw new LocalnetError(`unknown command ${JSON.stringify(arg)}: use start, stop, status or reset`);
      }
      command = arg as Subcommand;
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      command = 'help';
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = args.shift();
      if (next === undefined || next.startsWith('--')) throw new LocalnetError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--home': {
        const v = value();
        if (v.trim() === '') throw new LocalnetError('--home must not be empty');
        home = v;
        break;
      }
      case '--validators': {
        const n = parseInteger(name, value());
        if (n < 1 || n > MAX_VALIDATORS)
          throw new LocalnetError(`--validators must be between 1 and ${MAX_VALIDATORS}, got ${n}`);
        start.validators = n;
        start.explicit.validators = true;
        startOnly.push(name);
        break;
      }
      case '--base-port': {
        const p = parseInteger(name, value());
        if (p < 1024 || p > 65535)
          throw new LocalnetError(`--base-port must be between 1024 and 65535, got ${p}`);
        start.basePort = p;
        start.explicit.basePort = true;
        startOnly.push(name);
        break;
      }
      case '--chain-id': {
        const id = value();
        if (!CHAIN_ID_RE.test(id)) {
          throw new LocalnetError(
            `invalid --chain-id ${JSON.stringify(id)}: letters, digits, '.', '_', '-', at most 49 characters`,
          );
        }
        start.chainId = id;
        start.explicit.chainId = true;
        startOnly.push(name);
        break;
      }
      case '--detach':
        if (eq !== -1) throw new LocalnetError('--detach takes no value');
        start.detach = true;
        startOnly.push(name);
        break;
      default:
        throw new LocalnetError(`unknown flag ${JSON.stringify(name)} (see --help)`);
    }
  }
  const cmd = command ?? 'start';
  if (cmd !== 'start' && cmd !== 'help' && startOnly.length > 0)
    throw new LocalnetError(`${startOnly[0]} applies to start only, not to ${cmd}`);
  if (cmd === 'start') checkPortRange(start.validators, start.basePort);
  return { command: cmd, home: resolve(cwd, home), start };
}
