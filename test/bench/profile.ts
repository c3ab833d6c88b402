/** Runs one benchmark's `run()` by name under whatever flags node was given (e.g. --cpu-prof). */
const name = process.argv[2];
if (!name) throw new Error('usage: node --cpu-prof --import tsx test/bench/profile.ts <name>');
const mod = (await import(`./${name}.bench.ts`)) as { run(): Promise<unknown> };
console.log(await mod.run());
