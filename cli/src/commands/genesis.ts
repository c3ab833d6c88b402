/** `hearth genesis`: edit and check genesis.json before a chain starts. */
import { validateAppState } from '@hearth/chain/app/app';
import { addressFromBech32 } from '@hearth/chain/app/types/address';
import { addCoins, type Coins, coinsToProto } from '@hearth/chain/app/types/coins';
import {
  homePaths,
  readGenesisFile,
  readNodeConfigFile,
  writeGenesisFile,
} from '@hearth/chain/node/config/index';
import { Command } from 'commander';
import { defaultHome } from '../flags.js';
import { InputError } from '../passphrase.js';

/** "1000uhth,5uatom" -> Coins (sorted, positive, unique denoms). */
export function parseCoinsArg(text: string): Coins {
  const parts = text.split(',').map((p) => p.trim());
  const coins = parts.map((p) => {
    const m = /^([0-9]+)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(p);
    if (!m)
      throw new InputError(
        `invalid coin ${JSON.stringify(p)}: expected an amount followed by a denom, e.g. 1000uhth`,
      );
    const amount = BigInt(m[1]!);
    if (amount === 0n) throw new InputError(`coin ${p} has a zero amount`);
    return { denom: m[2]!, amount };
  });
  if (new Set(coins.map((c) => c.denom)).size !== coins.length)
    throw new InputError(`duplicate denom in ${text}`);
  return addCoins([], coins);
}

function genesisPath(home: string): string {
  const paths = homePaths(home);
  return homePaths(home, readNodeConfigFile(paths.configFile)).genesisFile;
}

type Json = Record<string, unknown>;

export function addGenesisAccount(appState: Json, address: string, coins: Coins): Json {
  const auth = (appState.auth ?? { params: {}, accounts: [] }) as Json & { accounts?: Json[] };
  const bank = (appState.bank ?? { params: {}, balances: [], supply: [] }) as Json & {
    balances?: { address: string; coins: { denom: string; amount: string }[] }[];
    supply?: { denom: string; amount: string }[];
  };
  const accounts = auth.accounts ?? [];
  const accountAddr = (a: Json) =>
    (a.address ?? (a.base_account as Json | undefined)?.address) as string | undefined;
  if (accounts.some((a) => accountAddr(a) === address))
    throw new InputError(`account ${address} is already in the genesis`);
  const numbers = accounts.map((a) =>
    BigInt(String(a.account_number ?? (a.base_account as Json | undefined)?.account_number ?? 0)),
  );
  const next = numbers.length === 0 ? 0n : numbers.reduce((x, y) => (x > y ? x : y)) + 1n;
  accounts.push({
    '@type': '/cosmos.auth.v1beta1.BaseAccount',
    address,
    pub_key: null,
    account_number: next.toString(),
    sequence: '0',
  });
  const balances = bank.balances ?? [];
  balances.push({ address, coins: coinsToProto(coins) });
  // The supply, when present, must keep adding up (the chain refuses a genesis that does not).
  if (bank.supply && bank.supply.length > 0) {
    const prior = bank.supply.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }));
    bank.supply = coinsToProto(addCoins(prior, coins));
  }
  return { ...appState, auth: { ...auth, accounts }, bank: { ...bank, balances } };
}

export function genesisCommand(): Command {
  const genesis = new Command('genesis').description('edit and validate genesis.json');
  genesis.addCommand(
    new Command('add-account')
      .description('add a funded account to genesis.json')
      .argument('<address>', 'a hearth1... address')
      .argument('<coins>', 'initial balance, e.g. 1000000000uhth')
      .option('--home <dir>', 'node home directory', defaultHome())
      .action((address: string, coinsText: string, opts: { home: string }) => {
        try {
          addressFromBech32(address);
        } catch (e) {
          throw new InputError(`invalid address ${JSON.stringify(address)}: ${(e as Error).message}`);
        }
        const coins = parseCoinsArg(coinsText);
        const file = genesisPath(opts.home);
        const doc = readGenesisFile(file);
        const appState = JSON.parse(doc.appStateJson ?? '{}') as Json;
        const updated = addGenesisAccount(appState, address, coins);
        validateAppState(updated);
        writeGenesisFile(file, { ...doc, appStateJson: JSON.stringify(updated, null, 2) });
        process.stdout.write(`added ${address} with ${coinsText} to ${file}\n`);
      }),
  );
  genesis.addCommand(
    new Command('validate')
      .description("check genesis.json: its CometBFT fields and every module's app_state")
      .option('--home <dir>', 'node home directory', defaultHome())
      .action((opts: { home: string }) => {
        const file = genesisPath(opts.home);
        const doc = readGenesisFile(file);
        validateAppState(JSON.parse(doc.appStateJson ?? '{}'));
        process.stdout.write(`${file} is a valid genesis for chain ${doc.chainId}\n`);
      }),
  );
  return genesis;
}
