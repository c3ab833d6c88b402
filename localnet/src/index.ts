/** The localnet: an N-validator Hearth network on one machine (see main.ts for the command). */
export * from './accounts.js';
export { LocalnetError } from './errors.js';
export * from './flags.js';
export * from './localnet.js';
export { main } from './main.js';
export * from './manifest.js';
export * from './ports.js';
export * from './processes.js';
export * from './rpc.js';
export * from './setup.js';
