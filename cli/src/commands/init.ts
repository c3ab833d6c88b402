/** `hearth init`: a node home in CometBFT's layout, with this app's default genesis state. */
import { defaultAppState } from '@hearth/chain/app/app';
import { initHome } from '@hearth/chain/node/config/index';
import { Command } from 'commander';
import { defaultHome } from '../flags.js';
import { InputError } from '../passphrase.js';

const CHAIN_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,48}$/;

export function initCommand(): Command {
  return new Command('init')
    .description(
      'create config.toml, genesis.json, priv_validator_key.json and node_key.json (existing files are kept)',
    )
    .argument('<moniker>', 'a human-readable name for this node')
    .requiredOption('--chain-id <id>', 'the chain id of a new genesis')
    .option('--home <dir>', 'node home directory', defaultHome())
    .action((moniker: string, opts: { chainId: string; home: string }) => {
      if (!CHAIN_ID_RE.test(opts.chainId)) {
        throw new InputError(
          `invalid chain id ${JSON.stringify(opts.chainId)}: letters, digits, '.', '_', '-', at most 49`,
        );
      }
      if (moniker.trim() === '' || moniker.length > 70)
        throw new InputError('the moniker must be 1 to 70 characters');
      const r = initHome(opts.home, {
        moniker,
        chainId: opts.chainId,
        appStateJson: JSON.stringify(defaultAppState(), null, 2),
      });
      process.stdout.write(
        `${JSON.stringify(
          {
            moniker: r.config.moniker,
            chain_id: r.genesis.chainId,
            node_id: r.nodeKey.id,
            validator_address: Buffer.from(r.privValidator.address).toString('hex').toUpperCase(),
            home: opts.home,
            created: r.created,
          },
          null,
          2,
        )}\n`,
      );
    });
}
