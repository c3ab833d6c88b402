#!/usr/bin/env node
// Protobuf code generation for Hearth.
//
//   node scripts/gen.mjs gen     buf lint, then regenerate sdk/src/generated from proto/
//   node scripts/gen.mjs check   buf lint, generate into a temp dir and byte-compare with
//                                sdk/src/generated; exit 1 listing every stale file
//
// `check --generated <dir>` compares against <dir> instead (used by the SDK's tests).
// Everything runs from this package's node_modules (buf and ts-proto from npm): no network,
// no protoc, no buf registry.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const protoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const generatedDir = resolve(protoDir, '..', 'sdk', 'src', 'generated');
// buf.gen.yaml's `out` is `../sdk/src/generated`, relative to the --output base (proto/ by
// default). Generating with base <tmp>/proto therefore lands in <tmp>/sdk/src/generated.
const generatedFromBase = join('..', 'sdk', 'src', 'generated');

function fail(message) {
  process.stderr.write(`proto: ${message}\n`);
  process.exit(1);
}

function buf(args) {
  const bin = join(protoDir, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');
  if (!existsSync(bin)) fail(`${bin} is missing; run \`pnpm install\` first.`);
  const result = spawnSync(bin, args, { cwd: protoDir, stdio: 'inherit' });
  if (result.error) fail(`could not run buf ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) fail(`buf ${args.join(' ')} failed (exit ${result.status ?? result.signal}).`);
}

/** Every file under root, as sorted '/'-separated paths relative to root. */
function listFiles(root) {
  if (!existsSync(root)) return [];
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Compares a freshly generated tree with the committed one.
 * @returns {{ missing: string[], extra: string[], changed: string[] }} sorted relative paths:
 *   missing = generated but not committed, extra = committed but no longer generated,
 *   changed = present in both with different bytes.
 */
export function compareTrees(freshRoot, committedRoot) {
  const fresh = listFiles(freshRoot);
  const committed = listFiles(committedRoot);
  const committedSet = new Set(committed);
  const freshSet = new Set(fresh);
  const missing = fresh.filter((f) => !committedSet.has(f));
  const extra = committed.filter((f) => !freshSet.has(f));
  const changed = fresh.filter(
    (f) =>
      committedSet.has(f) && !readFileSync(join(freshRoot, f)).equals(readFileSync(join(committedRoot, f))),
  );
  return { missing, extra, changed };
}

function gen() {
  buf(['lint']);
  rmSync(generatedDir, { recursive: true, force: true });
  buf(['generate']);
  const files = listFiles(generatedDir);
  if (files.length === 0) fail('buf generate produced no files; check buf.gen.yaml.');
  process.stdout.write(
    `proto: generated ${files.length} files into ${relative(process.cwd(), generatedDir) || '.'}\n`,
  );
}

function check(committedRoot) {
  buf(['lint']);
  const tmp = mkdtempSync(join(tmpdir(), 'hearth-proto-check-'));
  try {
    const base = join(tmp, 'proto');
    buf(['generate', '--output', base]);
    const freshRoot = resolve(base, generatedFromBase);
    const { missing, extra, changed } = compareTrees(freshRoot, committedRoot);
    if (missing.length + extra.length + changed.length === 0) {
      process.stdout.write(`proto: ${relative(process.cwd(), committedRoot) || '.'} is up to date\n`);
      return;
    }
    const lines = [
      `generated code in ${committedRoot} is stale; run \`pnpm proto:gen\` and commit the result.`,
      ...changed.map((f) => `  changed: ${f}`),
      ...missing.map((f) => `  missing: ${f}`),
      ...extra.map((f) => `  not generated any more: ${f}`),
    ];
    fail(lines.join('\n'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'gen' && rest.length === 0) return gen();
  if (command === 'check') {
    if (rest.length === 0) return check(generatedDir);
    if (rest.length === 2 && rest[0] === '--generated' && rest[1]) return check(resolve(rest[1]));
  }
  fail('usage: gen.mjs gen | gen.mjs check [--generated <dir>]');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
