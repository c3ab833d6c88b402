/**
 * `hearth start`: run the application. With `--with-comet=false` it serves the ABCI 2.0 socket
 * protocol so that a real CometBFT v0.38 node can drive it; otherwise Hearth's own node runs
 * it in-process.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startAbciServer } from '@hearth/chain/abci/index';
import { APP_STORE_NAMES, HearthApp } from '@hearth/chain/app/app';
import { SignatureVerifierPool } from '@hearth/chain/crypto/verifierPool';
import { createLogger, type Logger, parseLogLevel } from '@hearth/chain/logger';
import { homePaths, readNodeConfigFile } from '@hearth/chain/node/config/index';
import { HearthNode } from '@hearth/chain/node/node';
import { openCommitMultiStore } from '@hearth/chain/store/index';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultHome, parseBool, parseNonNegativeInt } from '../flags.js';

export interface StartOptions {
  home: string;
  withComet: boolean;
  address: string;
  minimumGasPrices?: string;
  pruningKeepRecent: number;
  logLevel: string;
  logFormat: 'text' | 'json';
  /** Worker threads verifying signatures (undefined: one per core but one; 0: inline). */
  signatureThreads?: number;
  unsafeTestEquivocate?: boolean;
}

/**
 * Opens the application's state in `home/data/application.db`, with a pool of worker threads
 * for signature verification. `close()` stops both.
 */
export async function openApp(
  home: string,
  opts: { minimumGasPrices?: string; pruningKeepRecent: number; signatureThreads?: number },
) {
  const dataDir = join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  const store = await openCommitMultiStore(join(dataDir, 'application.db'), {
    storeNames: APP_STORE_NAMES,
    keepRecent: opts.pruningKeepRecent,
  });
  // No threads: the ante handler verifies each signature inline, once. (A pool without threads
  // would have the app prepare every check twice, ahead of CheckTx and again in it.)
  const sigVerifier =
    opts.signatureThreads === 0 ? undefined : new SignatureVerifierPool({ threads: opts.signatureThreads });
  const close = async () => {
    await sigVerifier?.close();
    await store.close();
  };
  try {
    const app = new HearthApp({ store, minGasPrices: opts.minimumGasPrices ?? '0.025uhth', sigVerifier });
    return { app, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      logger.info('shutting down', { signal: sig });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export async function runStart(opts: StartOptions): Promise<void> {
  const logger = createLogger({ level: parseLogLevel(opts.logLevel), format: opts.logFormat });
  if (opts.withComet) return runEmbedded(opts, logger);
  const { app, close } = await openApp(opts.home, opts);
  const last = app.store.lastCommitId();
  const server = await startAbciServer({ app, address: opts.address, logger: logger.child('abci') });
  logger.info('ABCI server listening; waiting for CometBFT', {
    address: server.address,
    height: last.version,
    app_hash: last.hash,
  });
  await untilSignal(logger);
  await server.close();
  await close();
}

/** Hearth's own node and the app in one process. */
async function runEmbedded(opts: StartOptions, logger: Logger): Promise<void> {
  const paths = homePaths(opts.home);
  if (!existsSync(paths.configFile)) {
    throw new Error(
      `no node at ${opts.home}: run \`hearth init <moniker> --chain-id <id> --home ${opts.home}\` first`,
    );
  }
  const config = readNodeConfigFile(paths.configFile);
  const minimumGasPrices = opts.minimumGasPrices ?? config.hearth.minimumGasPrices;
  const { app, close } = await openApp(opts.home, { ...opts, minimumGasPrices });
  let node: HearthNode;
  try {
    node = await HearthNode.start({
      home: opts.home,
      app,
      logger,
      unsafeTestEquivocate: opts.unsafeTestEquivocate === true,
    });
  } catch (e) {
    await close();
    throw e;
  }
  const outcome = await Promise.race([untilSignal(logger).then(() => undefined), node.fatal]);
  await node.stop();
  await close();
  if (outcome instanceof Error) throw new Error(`node halted: ${outcome.message}`);
}

export function startCommand(): Command {
  return new Command('start')
    .description('run the application (embedded node, or an ABCI socket server for CometBFT)')
    .option('--home <dir>', 'node home directory', defaultHome())
    .option(
      '--with-comet <bool>',
      "run Hearth's own node; false serves ABCI for an external CometBFT",
      parseBool,
      true,
    )
    .option(
      '--address <addr>',
      'ABCI listen address with --with-comet=false (tcp://host:port or unix://path)',
      'tcp://127.0.0.1:26658',
    )
    .option(
      '--minimum-gas-prices <coins>',
      'minimum gas prices this node accepts in CheckTx, e.g. 0.025uhth',
      '0.025uhth',
    )
    .option(
      '--pruning-keep-recent <n>',
      'application state versions to keep besides the latest (0 keeps all)',
      parseNonNegativeInt,
      0,
    )
    .option(
      '--signature-threads <n>',
      'worker threads verifying tx signatures, 0-64 (default: one per core but one; 0 verifies inline)',
      (v: string) => {
        const n = parseNonNegativeInt(v);
        if (n > 64) throw new InvalidArgumentError('at most 64');
        return n;
      },
    )
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option(
      '--log-format <format>',
      'text or json',
      (v) => {
        if (v !== 'text' && v !== 'json') throw new InvalidArgumentError('use text or json');
        return v;
      },
      'text',
    )
    .addOption(
      new Option(
        '--unsafe-test-equivocate',
        'TEST ONLY: double-sign prevotes to exercise evidence handling',
      ).hideHelp(),
    )
    .action(async (opts: StartOptions) => runStart(opts));
}
