/**
 * Benchmark runner: `pnpm bench [names...]` runs `test/bench/<name>.bench.ts` (all by default)
 * and rewrites each benchmark's own section of BENCHMARKS.md, leaving the others intact.
 * Each section records the machine (CPU model, cores, memory, Node version) and the date.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  target?: string;
  notes?: string;
}

export interface Benchmark {
  name: string;
  title: string;
  run(): Promise<BenchResult[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const mdPath = join(here, '..', '..', 'BENCHMARKS.md');
const HEADER =
  '# Benchmarks\n\nWritten by `pnpm bench` (test/bench/run.ts); each section is rewritten only when its benchmark runs.\n';

function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const mem = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${model}, ${cpus.length} cores, ${mem} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

/** The 1-minute load average: on a shared machine, other jobs skew the figures. */
function load(): string {
  return `${os.loadavg()[0]?.toFixed(2)} on ${os.cpus().length} cores`;
}

function section(b: Benchmark, results: BenchResult[], date: string, loadBefore: string): string {
  const rows = results.map(
    (r) => `| ${r.metric} | ${formatValue(r.value)} | ${r.unit} | ${r.target ?? ''} | ${r.notes ?? ''} |`,
  );
  return [
    `<!-- bench:${b.name}:start -->`,
    `## ${b.title}`,
    '',
    `Machine: ${machine()}  `,
    `Date: ${date}  `,
    `Load average: ${loadBefore} before the run, ${load()} after (other jobs on the machine skew the figures)`,
    '',
    '| metric | value | unit | target | notes |',
    '| --- | ---: | --- | --- | --- |',
    ...rows,
    `<!-- bench:${b.name}:end -->`,
  ].join('\n');
}

/** Replaces (or appends) the section of benchmark `name` in the markdown text. */
export function replaceSection(md: string, name: string, body: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const i = md.indexOf(start);
  const j = md.indexOf(end);
  if (i >= 0 && j > i) return md.slice(0, i) + body + md.slice(j + end.length);
  return `${md.trimEnd()}\n\n${body}\n`;
}

async function loadBenchmark(file: string): Promise<Benchmark> {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as Partial<Benchmark> & {
    default?: Benchmark;
  };
  const b = mod.default ?? (mod as Benchmark);
  if (typeof b.name !== 'string' || typeof b.title !== 'string' || typeof b.run !== 'function')
    throw new Error(`${file} must export name, title and run()`);
  return b;
}

async function main(): Promise<void> {
  const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
  const available = files.map((f) => f.slice(0, -'.bench.ts'.length));
  const wanted = process.argv.slice(2);
  for (const w of wanted)
    if (!available.includes(w))
      throw new Error(`unknown benchmark "${w}" (available: ${available.join(', ')})`);
  const chosen = wanted.length > 0 ? wanted : available;
  for (const name of chosen) {
    const b = await loadBenchmark(`${name}.bench.ts`);
    console.log(`running ${b.name}: ${b.title}`);
    const loadBefore = load();
    const results = await b.run();
    for (const r of results)
      console.log(
        `  ${r.metric}: ${formatValue(r.value)} ${r.unit}${r.target ? ` (target ${r.target})` : ''}`,
      );
    let md: string;
    try {
      md = await readFile(mdPath, 'utf8');
    } catch {
      md = HEADER;
    }
    await writeFile(
      mdPath,
      replaceSection(md, b.name, section(b, results, new Date().toISOString(), loadBefore)),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
