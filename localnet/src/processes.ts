/**
 * Process bookkeeping by pid: is a pid still one of ours (a `hearth start` for a given home, or
 * a localnet supervisor), and ending processes with SIGTERM, then SIGKILL after a grace period.
 * Pids come from localnet.json and may be stale or reused, so every signal is preceded by a
 * look at the process' command line (/proc/<pid>/cmdline, or `ps` where there is no /proc).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The command line of a live (non-zombie) process, or undefined. */
export function commandLine(pid: number): string[] | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (hasProcFs()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) S ...": the state letter follows the last ')'.
      const state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (state === 'Z' || state === 'X') return undefined;
      const parts = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter((s) => s !== '');
      return parts.length > 0 ? parts : undefined;
    } catch {
      return undefined; // gone (or not ours to look at)
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'stat=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    if (out === '' || out.startsWith('Z')) return undefined;
    return out.split(/\s+/).slice(1);
  } catch {
    return undefined; // ps exits non-zero for an unknown pid
  }
}

let procFs: boolean | undefined;
function hasProcFs(): boolean {
  if (procFs === undefined) {
    try {
      readFileSync('/proc/self/stat');
      procFs = true;
    } catch {
      procFs = false;
    }
  }
  return procFs;
}

/** A `hearth start --home <home>` process. */
export function isHearthNode(pid: number, home: string): boolean {
  const cmd = commandLine(pid);
  if (!cmd) return false;
  return cmd.some((a) => a.endsWith('hearth.mjs')) && cmd.includes('start') && cmd.includes(home);
}

/** A `localnet start` supervisor. */
export function isSupervisor(pid: number): boolean {
  const cmd = commandLine(pid);
  if (!cmd) return false;
  return cmd.some((a) => a.endsWith('localnet.mjs')) && !cmd.includes('stop') && !cmd.includes('reset');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/**
 * Sends SIGTERM to every pid for which `stillOurs` holds, waits up to `graceMs` for them to go,
 * then SIGKILLs the rest. Resolves with the pids that had to be killed.
 */
export async function terminate(
  pids: readonly number[],
  stillOurs: (pid: number) => boolean,
  graceMs = 20_000,
): Promise<number[]> {
  const live = pids.filter(stillOurs);
  for (const pid of live) signal(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  let left = live;
  while (left.length > 0 && Date.now() < until) {
    await sleep(100);
    left = left.filter(stillOurs);
  }
  for (const pid of left) signal(pid, 'SIGKILL');
  // SIGKILL cannot be refused; give the kernel a moment to tear the processes down.
  const killUntil = Date.now() + 5000;
  while (left.some(stillOurs) && Date.now() < killUntil) await sleep(50);
  return left;
}
