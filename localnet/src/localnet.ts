/**
 * The localnet's verbs: start (generate on first use, spawn one `hearth start` per validator,
 * wait for the first block, then follow blocks in the foreground or return with --detach),
 * stop, status and reset. Every node runs in its own process group, so only this supervisor
 * (or `stop`) signals it and a terminal's Ctrl-C never hits a node twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { generateDevAccounts } from './accounts.js';
import { LocalnetError } from './errors.js';
import type { StartFlags } from './flags.js';
import {
  DEV_NETWORK_NOTICE,
  type LocalnetManifest,
  manifestPath,
  readManifest,
  writeManifest,
} from './manifest.js';
import { nodePorts, takenPorts } from './ports.js';
import { isHearthNode, isSupervisor, terminate } from './processes.js';
import { fetchPeerCount, fetchStatus } from './rpc.js';
import { generateLocalnet } from './setup.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const HEARTH_BIN = join(REPO_ROOT, 'cli', 'bin', 'hearth.mjs');
/**
 * Node flags for a validator process: a 32 MiB young generation (V8's default is 16) roughly
 * halves the time spent in scavenges under load, where a block's worth of txs is alive at once
 * (measured with `pnpm bench app` and --trace-gc; see BENCHMARKS.md).
 */
export const NODE_FLAGS = [
  '--max-semi-space-size=32',
  // For a look inside the validators, e.g. HEARTH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
  // (node refuses --cpu-prof in NODE_OPTIONS).
  ...(process.env.HEARTH_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== ''),
];

/** Where the localnet writes what it has to say (tests capture it). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface StartOptions extends StartFlags {
  /** How long to wait for every node to commit block 1 (default 90 s). */
  firstBlockTimeoutMs?: number;
  /** Foreground only: resolves to stop the network (default: the first SIGINT or SIGTERM). */
  stopSignal?: Promise<unknown>;
}

export function logFile(home: string): string {
  return join(home, 'node.log');
}

/** The last `lines` lines of a node's log (for error messages). */
export function logTail(home: string, lines = 20): string {
  try {
    const text = readFileSync(logFile(home), 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of this localnet's processes that are still running. */
function runningPids(m: LocalnetManifest): { nodes: number[]; supervisor: number | null } {
  const nodes = m.nodes.flatMap((n) => (n.pid !== null && isHearthNode(n.pid, n.home) ? [n.pid] : []));
  const supervisor = m.supervisorPid !== null && isSupervisor(m.supervisorPid) ? m.supervisorPid : null;
  return { nodes, supervisor };
}

function withPids(
  m: LocalnetManifest,
  pids: (number | null)[],
  supervisorPid: number | null,
): LocalnetManifest {
  return { ...m, supervisorPid, nodes: m.nodes.map((n, i) => ({ ...n, pid: pids[i] ?? null })) };
}

/** Loads the localnet in `dir`, or generates a new one; refuses when one is running. */
async function prepare(dir: string, flags: StartFlags, io: Io): Promise<LocalnetManifest> {
  const existing = readManifest(dir);
  if (existing) {
    const running = runningPids(existing);
    if (running.nodes.length > 0 || running.supervisor !== null) {
      const pids = [...(running.supervisor === null ? [] : [running.supervisor]), ...running.nodes];
      throw new LocalnetError(
        `a localnet is already running in ${dir} (pids ${pids.join(', ')}); stop it first with: pnpm localnet stop --home ${dir}`,
      );
    }
    const conflicts: string[] = [];
    if (flags.explicit.validators && flags.validators !== existing.nodes.length)
      conflicts.push(`--validators ${existing.nodes.length}`);
    if (flags.explicit.basePort && flags.basePort !== existing.basePort)
      conflicts.push(`--base-port ${existing.basePort}`);
    if (flags.explicit.chainId && flags.chainId !== existing.chainId)
      conflicts.push(`--chain-id ${existing.chainId}`);
    if (conflicts.length > 0) {
      throw new LocalnetError(
        `the localnet in ${dir} was made with ${conflicts.join(' ')}; to make a different one run: pnpm localnet reset --home ${dir}`,
      );
    }
    await refuseTakenPorts(existing.basePort, existing.nodes.length);
    io.out(
      `restarting the localnet in ${dir} (${existing.nodes.length} validators, chain ${existing.chainId})`,
    );
    return withPids(existing, [], null);
  }
  const created = !existsSync(dir);
  if (!created && readdirSync(dir).length > 0) {
    throw new LocalnetError(
      `${dir} exists and holds no localnet.json; refusing to use it (choose another --home or empty it)`,
    );
  }
  await refuseTakenPorts(flags.basePort, flags.validators);
  io.out(`generating a ${flags.validators}-validator localnet (chain ${flags.chainId}) in ${dir}`);
  try {
    const accounts = await generateDevAccounts(flags.validators);
    const manifest = await generateLocalnet(
      { dir, chainId: flags.chainId, validators: flags.validators, basePort: flags.basePort },
      accounts,
    );
    writeManifest(dir, manifest);
    return manifest;
  } catch (e) {
    // Leave nothing half-made behind in a directory this call created.
    if (created) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function refuseTakenPorts(basePort: number, validators: number): Promise<void> {
  const problems: string[] = [];
  for (let i = 0; i < validators; i++) {
    const p = nodePorts(basePort, i);
    const taken = await takenPorts([p.p2p, p.rpc, p.abci, p.prometheus]);
    if (taken.length > 0) problems.push(`node${i}: ${taken.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new LocalnetError(
      `ports already in use on 127.0.0.1 (${problems.join('; ')}); stop what uses them or pick another --base-port`,
    );
  }
}

/**
 * Signature worker threads per node: its share of the machine's cores, less the one its main
 * thread uses. Validators sharing a machine with fewer cores than nodes verify inline, where a
 * worker thread would only add hand-off work on cores that are already busy.
 */
export function signatureThreadsPerNode(validators: number, cores = availableParallelism()): number {
  return Math.max(0, Math.floor(cores / validators) - 1);
}

function spawnNode(home: string, gasPrice: string, signatureThreads: number): ChildProcess {
  const fd = openSync(logFile(home), 'a', 0o644);
  try {
    writeSync(fd, `\n=== localnet: hearth start at ${new Date().toISOString()} ===\n`);
    return spawn(
      process.execPath,
      [
        ...NODE_FLAGS,
        HEARTH_BIN,
        'start',
        '--home',
        home,
        '--minimum-gas-prices',
        gasPrice,
        '--signature-threads',
        String(signatureThreads),
      ],
      {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', fd, fd],
      },
    );
  } finally {
    closeSync(fd); // the child has its own copy
  }
}

interface Exit {
  index: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves with the first child that exits (or errors on spawn). */
function firstExit(children: readonly ChildProcess[]): { promise: Promise<Exit>; exited: Set<number> } {
  const exited = new Set<number>();
  const promise = new Promise<Exit>((resolve) => {
    children.forEach((c, index) => {
      c.once('exit', (code, signal) => {
        exited.add(index);
        resolve({ index, code, signal });
      });
      c.once('error', () => {
        exited.add(index);
        resolve({ index, code: null, signal: null });
      });
    });
  });
  return { promise, exited };
}

/** Waits until every node's RPC reports height >= 1. */
async function waitForFirstBlock(m: LocalnetManifest, timeoutMs: number, died: Promise<Exit>): Promise<void> {
  let failure: Exit | undefined;
  void died.then((e) => {
    failure = e;
  });
  const until = Date.now() + timeoutMs;
  const done = new Set<number>();
  for (;;) {
    if (failure) {
      const n = m.nodes[failure.index]!;
      throw new LocalnetError(
        `${n.moniker} exited (${failure.signal ?? `code ${failure.code}`}) before the first block; last lines of ${logFile(n.home)}:\n${logTail(n.home)}`,
      );
    }
    await Promise.all(
      m.nodes.map(async (n, i) => {
        if (done.has(i)) return;
        try {
          if ((await fetchStatus(n.rpc, 1000)).height >= 1n) done.add(i);
        } catch {
          // not listening yet
        }
      }),
    );
    if (done.size === m.nodes.length) return;
    if (Date.now() > until) {
      const late = m.nodes.filter((_, i) => !done.has(i));
      throw new LocalnetError(
        `no first block after ${Math.round(timeoutMs / 1000)} s from ${late.map((n) => n.moniker).join(', ')}${
          m.nodes.length > 1
            ? ' (a multi-validator localnet needs the nodes to reach each other over p2p)'
            : ''
        }; last lines of ${logFile(late[0]!.home)}:\n${logTail(late[0]!.home)}`,
      );
    }
    await sleep(250);
  }
}

function printSummary(dir: string, m: LocalnetManifest, io: Io, detached: boolean): void {
  io.out(`localnet ${m.chainId} is up: ${m.nodes.length} validator(s), first block committed`);
  for (const n of m.nodes)
    io.out(`  ${n.moniker}  rpc ${n.rpc}  p2p ${n.p2p}  pid ${n.pid}  log ${logFile(n.home)}`);
  io.out(`accounts (${m.denom}, gas price ${m.gasPrice}); mnemonics in ${manifestPath(dir)}:`);
  for (const a of m.accounts) io.out(`  ${a.name.padEnd(12)} ${a.address}`);
  io.out(DEV_NETWORK_NOTICE);
  io.out(
    detached
      ? `stop it with: pnpm localnet stop --home ${dir}`
      : `following blocks; Ctrl-C (or pnpm localnet stop --home ${dir}) stops every node`,
  );
}

/** `localnet start`. Resolves with the exit code (foreground: once stopped). */
export async function startLocalnet(dir: string, opts: StartOptions, io: Io = stdio): Promise<number> {
  const base = await prepare(dir, opts, io);
  const threads = signatureThreadsPerNode(base.nodes.length);
  const children = base.nodes.map((n) => spawnNode(n.home, base.gasPrice, threads));
  const pids = children.map((c) => c.pid ?? null);
  let manifest = withPids(base, pids, opts.detach ? null : process.pid);
  writeManifest(dir, manifest);
  const exits = firstExit(children);
  const stopAll = async () => {
    const live = children.flatMap((c, i) => (exits.exited.has(i) || c.pid === undefined ? [] : [c.pid]));
    const homes = new Map(manifest.nodes.map((n) => [n.pid, n.home]));
    await terminate(live, (pid) => isHearthNode(pid, homes.get(pid) ?? ''));
    manifest = withPids(manifest, [], null);
    writeManifest(dir, manifest);
  };

  // Until the nodes are up (or fail), a signal must still stop them.
  const signalled = opts.stopSignal ?? untilSignal();
  try {
    await Promise.race([
      waitForFirstBlock(manifest, opts.firstBlockTimeoutMs ?? 90_000, exits.promise),
      signalled.then(() => {
        throw new LocalnetError('interrupted before the first block');
      }),
    ]);
  } catch (e) {
    await stopAll();
    throw e;
  }
  printSummary(dir, manifest, io, opts.detach);
  if (opts.detach) {
    for (const c of children) c.unref();
    return 0;
  }
  return follow(manifest, io, exits.promise, signalled, stopAll);
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP (a closed terminal). The handlers stay
 * installed, so a second Ctrl-C while the nodes are being stopped does not kill this process
 * half way (the bin exits explicitly once done).
 */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => resolve(sig));
  });
}

/** Foreground: one line per block of node0 until a signal or a node's death. */
async function follow(
  m: LocalnetManifest,
  io: Io,
  died: Promise<Exit>,
  signalled: Promise<unknown>,
  stopAll: () => Promise<void>,
): Promise<number> {
  let outcome: { kind: 'signal' } | { kind: 'died'; exit: Exit } | undefined;
  void signalled.then(() => {
    outcome ??= { kind: 'signal' };
  });
  void died.then((exit) => {
    outcome ??= { kind: 'died', exit };
  });
  const node0 = m.nodes[0]!;
  let last = 0n;
  while (outcome === undefined) {
    try {
      const s = await fetchStatus(node0.rpc, 1000);
      if (s.height > last) {
        last = s.height;
        io.out(
          `${new Date().toISOString().slice(11, 19)}  height ${s.height}  app_hash ${s.appHash.slice(0, 16)}`,
        );
      }
    } catch {
      // node0 busy or restarting: try again on the next tick
    }
    await Promise.race([sleep(300), signalled, died]);
  }
  if (outcome.kind === 'signal') {
    io.out('stopping every node…');
    await stopAll();
    io.out('localnet stopped');
    return 0;
  }
  const n = m.nodes[outcome.exit.index]!;
  io.err(
    `${n.moniker} exited (${outcome.exit.signal ?? `code ${outcome.exit.code}`}); last lines of ${logFile(n.home)}:\n${logTail(n.home)}`,
  );
  io.err('stopping the other nodes');
  await stopAll();
  return 1;
}

/** `localnet stop`: ends the supervisor (if any) and every node listed in localnet.json. */
export async function stopLocalnet(dir: string, io: Io = stdio): Promise<number> {
  const m = readManifest(dir);
  if (!m) throw new LocalnetError(`no localnet in ${dir} (no localnet.json)`);
  const running = runningPids(m);
  if (running.supervisor !== null) {
    // The supervisor stops its nodes itself and clears the pids.
    await terminate([running.supervisor], isSupervisor, 30_000);
  }
  const now = readManifest(dir) ?? m;
  const homes = new Map(now.nodes.map((n) => [n.pid, n.home]));
  const live = runningPids(now).nodes;
  const killed = await terminate(live, (pid) => isHearthNode(pid, homes.get(pid) ?? ''));
  writeManifest(dir, withPids(now, [], null));
  const total = live.length + (running.supervisor === null ? 0 : 1);
  if (total === 0) io.out(`nothing was running in ${dir}`);
  else {
    io.out(
      `stopped ${live.length} node process(es)${running.supervisor === null ? '' : ' and the supervisor'}${
        killed.length > 0 ? ` (${killed.length} did not stop in time and were killed)` : ''
      }`,
    );
  }
  return 0;
}

export interface NodeStatusRow {
  moniker: string;
  running: boolean;
  pid: number | null;
  rpc: string;
  height: bigint | null;
  appHash: string | null;
  peers: number | null;
}

export async function collectStatus(
  dir: string,
): Promise<{ manifest: LocalnetManifest; rows: NodeStatusRow[] }> {
  const m = readManifest(dir);
  if (!m) throw new LocalnetError(`no localnet in ${dir} (no localnet.json)`);
  const rows = await Promise.all(
    m.nodes.map(async (n): Promise<NodeStatusRow> => {
      const running = n.pid !== null && isHearthNode(n.pid, n.home);
      const [status, peers] = await Promise.all([
        fetchStatus(n.rpc, 2000).catch(() => null),
        fetchPeerCount(n.rpc, 2000).catch(() => null),
      ]);
      return {
        moniker: n.moniker,
        running,
        pid: running ? n.pid : null,
        rpc: n.rpc,
        height: status?.height ?? null,
        appHash: status?.appHash ?? null,
        peers,
      };
    }),
  );
  return { manifest: m, rows };
}

/** `localnet status`. */
export async function statusLocalnet(dir: string, io: Io = stdio): Promise<number> {
  const { manifest: m, rows } = await collectStatus(dir);
  io.out(
    `localnet ${m.chainId} in ${dir}: ${rows.filter((r) => r.running).length}/${rows.length} node(s) running`,
  );
  io.out(
    `  ${'node'.padEnd(8)}${'state'.padEnd(10)}${'height'.padEnd(10)}${'app hash'.padEnd(20)}${'peers'.padEnd(7)}rpc`,
  );
  for (const r of rows) {
    io.out(
      `  ${r.moniker.padEnd(8)}${(r.running ? 'running' : 'stopped').padEnd(10)}${String(r.height ?? '-').padEnd(10)}${(r.appHash === null ? '-' : r.appHash.slice(0, 16)).padEnd(20)}${String(r.peers ?? '-').padEnd(7)}${r.rpc}`,
    );
  }
  io.out(`gas price ${m.gasPrice}; accounts and mnemonics in ${manifestPath(dir)}`);
  io.out(DEV_NETWORK_NOTICE);
  return 0;
}

/** `localnet reset`: stop, then delete the directory, which must hold a localnet.json. */
export async function resetLocalnet(dir: string, io: Io = stdio): Promise<number> {
  if (!existsSync(dir)) {
    io.out(`nothing to reset: ${dir} does not exist`);
    return 0;
  }
  if (!existsSync(manifestPath(dir))) {
    throw new LocalnetError(
      `${dir} holds no localnet.json; refusing to delete a directory that is not a localnet`,
    );
  }
  await stopLocalnet(dir, io);
  rmSync(dir, { recursive: true, force: true });
  io.out(`deleted ${dir}`);
  return 0;
}
