/** Helpers for the localnet tests: run the command as a user would, find free loopback ports. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodePorts, takenPorts } from '../src/ports.js';
import { commandLine } from '../src/processes.js';

export const LOCALNET_BIN = join(import.meta.dirname, '..', 'bin', 'localnet.mjs');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node localnet/bin/localnet.mjs ...args`, resolved (never rejected) with its outcome. */
export function runLocalnet(args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LOCALNET_BIN, ...args],
      { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A base port whose whole range for `validators` nodes is free on 127.0.0.1 right now. */
export async function freeBasePort(validators: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 100 * Math.floor(Math.random() * 380);
    const ports = Array.from({ length: validators }, (_, i) => Object.values(nodePorts(base, i))).flat();
    if ((await takenPorts(ports)).length === 0) return base;
  }
  throw new Error('no free port range found on 127.0.0.1');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(200);
  }
}

/** True while the pid names a live, non-zombie process. */
export function alive(pid: number): boolean {
  return commandLine(pid) !== undefined;
}
