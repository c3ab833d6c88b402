/**
 * Long randomized consensus simulation run.
 *
 *   pnpm exec tsx chain/src/node/consensus/soak.ts [seedCount=1000] [--from=1] [--heights=20]
 *   pnpm exec tsx chain/src/node/consensus/soak.ts --seed=1234 [--heights=20]   (replay one seed, verbose)
 *
 * Exits 1 if any seed violates safety or liveness, printing each failing seed and how to replay it.
 */
import { checkRun, describeScenario, randomScenario, runSeeds, runSimulation } from './simulation.js';

function flag(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

function intArg(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`${what} must be a non-negative integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const heights = intArg(flag('heights'), 20, '--heights');
const single = flag('seed');
if (single !== undefined) {
  const seed = intArg(single, 0, '--seed');
  const scenario = randomScenario(seed, heights);
  const result = runSimulation(scenario);
  const problems = checkRun(result);
  console.log(describeScenario(scenario));
  console.log({ ...result.stats, allDecidedAtMs: result.allDecidedAtMs, evidence: result.evidence.length });
  for (const p of problems) console.log(`PROBLEM ${p}`);
  process.exit(problems.length > 0 ? 1 : 0);
}
const count = intArg(
  process.argv.slice(2).find((a) => !a.startsWith('--')),
  1000,
  'seed count',
);
const from = intArg(flag('from'), 1, '--from');
const started = Date.now();
const failures = runSeeds(from, count, heights);
for (const f of failures) {
  console.log(`seed ${f.seed} FAILED: ${f.problems.join('; ')}`);
  console.log(
    `  replay: pnpm exec tsx chain/src/node/consensus/soak.ts --seed=${f.seed} --heights=${heights}`,
  );
}
console.log(
  `${count} seeds x ${heights} heights from ${from}: ${failures.length} failing, ${Date.now() - started} ms`,
);
process.exit(failures.length > 0 ? 1 : 0);
