#!/usr/bin/env node
// The `hearth` command. Hearth runs from its TypeScript sources: tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/index.ts');
await main(process.argv);
