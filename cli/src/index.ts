/** The `hearth` command: validators and tenants run and talk to a Hearth chain with it. */
import { Command, CommanderError } from 'commander';
import { queryCommand, txCommand } from './commands/client.js';
import { genesisCommand } from './commands/genesis.js';
import { initCommand } from './commands/init.js';
import { keysCommand } from './commands/keys.js';
import { startCommand } from './commands/start.js';

export function buildProgram(): Command {
  return new Command('hearth')
    .description('Hearth: a decentralized compute marketplace chain')
    .version('0.1.0')
    .showHelpAfterError()
    .addCommand(initCommand())
    .addCommand(startCommand())
    .addCommand(genesisCommand())
    .addCommand(keysCommand())
    .addCommand(queryCommand())
    .addCommand(txCommand());
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
