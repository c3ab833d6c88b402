#!/usr/bin/env node
// `pnpm localnet`: the localnet runs from its TypeScript sources, compiled on load by tsx.
import { register } from 'tsx/esm/api';

register();
// A closed terminal or pipe must not crash the supervisor while it still has nodes to stop.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const { main } = await import('../src/main.ts');
const code = await main(process.argv.slice(2));
// Exit now rather than waiting for idle HTTP keep-alive sockets to time out.
process.exit(code);
