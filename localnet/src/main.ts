/** `pnpm localnet ...`: parses the command line and runs the verb; errors become one clear line. */
import { LocalnetError } from './errors.js';
import { parseArgs, USAGE } from './flags.js';
import { type Io, resetLocalnet, startLocalnet, statusLocalnet, stdio, stopLocalnet } from './localnet.js';

/** Runs the command and resolves with its exit code. */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'help':
        io.out(USAGE.trimEnd());
        return 0;
      case 'start':
        return await startLocalnet(args.home, args.start, io);
      case 'stop':
        return await stopLocalnet(args.home, io);
      case 'status':
        return await statusLocalnet(args.home, io);
      case 'reset':
        return await resetLocalnet(args.home, io);
    }
  } catch (e) {
    if (e instanceof LocalnetError) io.err(`localnet: ${e.message}`);
    else io.err(`localnet: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return e instanceof LocalnetError ? 2 : 1;
  }
}
