/** Shared helpers for end-to-end tests: run the `hearth` CLI, start nodes, wait for heights. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(import.meta.dirname, '..', '..');
export const HEARTH = join(ROOT, 'cli/bin/hearth.mjs');
const run = promisify(execFile);

export async function hearth(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [HEARTH, ...args], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

export function tempHome(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Rewrites keys in config.toml (`section.key` = raw TOML value). */
export function setConfig(home: string, values: Record<string, string>): void {
  const file = join(home, 'config', 'config.toml');
  const lines = readFileSync(file, 'utf8').split('\n');
  let section = '';
  const out = lines.map((line) => {
    const s = /^\s*\[([a-z_.]+)\]\s*$/.exec(line);
    if (s) section = s[1]!;
    const kv = /^(\s*)([a-z_]+)(\s*=\s*)(.*)$/.exec(line);
    if (!kv) return line;
    const key = section ? `${section}.${kv[2]}` : kv[2]!;
    return key in values ? `${kv[1]}${kv[2]}${kv[3]}${values[key]}` : line;
  });
  writeFileSync(file, out.join('\n'));
}

export interface RunningNode {
  child: ChildProcess;
  rpc: string;
  log: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `hearth start` and resolves once its RPC listens (the address is read from its log). */
export function startNode(home: string, extra: string[] = []): Promise<RunningNode> {
  const child = spawn(process.execPath, [HEARTH, 'start', '--home', home, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${log}`)), 60_000);
    const onData = (b: Buffer) => {
      log += b.toString();
      const m = /RPC listening address=tcp:\/\/([0-9.]+:[0-9]+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          rpc: `http://${m[1]}`,
          log: () => log,
          stop: (signal = 'SIGTERM') =>
            new Promise((r) => {
              if (child.exitCode !== null) return r(child.exitCode);
              child.once('exit', (code) => r(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}:\n${log}`));
    });
  });
}

export async function rpcCall<T = unknown>(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string; data?: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} ${body.error.data ?? ''}`);
  return body.result as T;
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
