import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openCommitMultiStore } from './commitMultiStore.js';
import { CRASH_OPTIONS, CRASH_STORES, crashWrites } from './testing/crashWorkload.js';
import { dump, Model, prng } from './testing/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const child = join(here, 'testing', 'crashChild.ts');
const ROUNDS = process.env.HEARTH_LONG ? 40 : 4;

function expectedAt(version: number): Model[] {
  const models = CRASH_STORES.map(() => new Model());
  for (let v = 1; v <= version; v++) {
    for (const w of crashWrites(v)) {
      const m = models[w.store] as Model;
      if (w.value === undefined) m.delete(w.key);
      else m.set(w.key, w.value);
    }
  }
  return models;
}

function loggedVersions(log: string): { version: number; hash: string }[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [v, h] = l.split(' ');
      return { version: Number(v), hash: h as string };
    });
}

/** Runs the child until it has logged a few commits past `after`, then SIGKILLs it at a random moment. */
function runAndKill(dir: string, log: string, after: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = fork(child, [dir, log], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let killed = false;
    const poll = setInterval(() => {
      const last = loggedVersions(log).at(-1)?.version ?? 0;
      if (!killed && last >= after + 3) {
        killed = true;
        clearInterval(poll);
        setTimeout(() => p.kill('SIGKILL'), delayMs);
      }
    }, 5);
    p.on('exit', (_code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`crash child exited on its own (${String(signal)}): ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`reopens at the last logged version or the next one, with exactly that version's contents (${ROUNDS} SIGKILLs)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-crash-'));
    dirs.push(dir);
    const db = join(dir, 'db');
    const log = join(dir, 'log');
    const rnd = prng(Date.now() & 0xffff);
    let lastReopened = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await runAndKill(db, log, lastReopened, Math.floor(rnd() * 40));
      const logged = loggedVersions(log);
      const last = logged.at(-1) as { version: number; hash: string };
      const store = await openCommitMultiStore(db, CRASH_OPTIONS);
      try {
        const { version, hash } = store.lastCommitId();
        expect([last.version, last.version + 1]).toContain(version);
        const models = expectedAt(version);
        CRASH_STORES.forEach((name, i) => {
          expect(dump(store.getKVStore(name))).toEqual((models[i] as Model).range(undefined, undefined));
        });
        if (version === last.version) expect(Buffer.from(hash).toString('hex')).toBe(last.hash);
        // Every logged version still retained must have kept its app hash.
        const retained = new Set(await store.availableVersions());
        for (const l of logged.slice(-3)) {
          if (!retained.has(l.version)) continue;
          const q = await store.query('alpha', Uint8Array.of(1, 1), l.version, false);
          expect(q.height).toBe(l.version);
        }
        lastReopened = version;
      } finally {
        await store.close();
      }
    }
    expect(lastReopened).toBeGreaterThan(ROUNDS * 3);
  }, 120_000);
});
