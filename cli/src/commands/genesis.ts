/** `hearth genesis`: edit and check genesis.json before a chain starts. */

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { validateAppState } from '@hearth/chain/app/app';
import { validateGenTxs } from '@hearth/chain/app/modules/genutil/genesis';
import { genTxRawToJson } from '@hearth/chain/app/modules/genutil/genTx';
import { addressFromBech32, addressToBech32, VALOPER_PREFIX } from '@hearth/chain/app/types/address';
import { addCoins, type Coins, coinsToProto } from '@hearth/chain/app/types/coins';
import { decFromString, decToProto } from '@hearth/chain/app/types/legacyDec';
import { encodeProto } from '@hearth/chain/codec/protoWriter';
import {
  homePaths,
  loadNodeKey,
  pvPaths,
  readGenesisFile,
  readNodeConfigFile,
  writeGenesisFile,
} from '@hearth/chain/node/config/index';
import { FilePV } from '@hearth/chain/node/privval/index';
import { Command } from 'commander';
import { PubKey as Ed25519PubKey } from 'cosmjs-types/cosmos/crypto/ed25519/keys';
import { PubKey as Secp256k1PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { MsgCreateValidator } from 'cosmjs-types/cosmos/staking/v1beta1/tx';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { defaultHome } from '../flags.js';
import { Keyring } from '../keyring.js';
import { InputError, keyringPassphrase } from '../passphrase.js';

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

interface GentxOpts {
  home: string;
  moniker?: string;
  commissionRate: string;
  commissionMaxRate: string;
  commissionMaxChangeRate: string;
  minSelfDelegation: string;
  keyringPassphraseFile?: string;
  outputDocument?: string;
}

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

/** Builds and signs a gentx: MsgCreateValidator from `keyName`'s account with the node's consensus key. */
export async function buildGenTx(opts: {
  wallet: Awaited<ReturnType<Keyring['wallet']>>;
  chainId: string;
  consensusPubKey: Uint8Array;
  amount: Coins[number];
  moniker: string;
  commissionRate: string;
  commissionMaxRate: string;
  commissionMaxChangeRate: string;
  minSelfDelegation: string;
}): Promise<Uint8Array> {
  const [account] = await opts.wallet.getAccounts();
  const delegator = account!.address;
  const operator = addressToBech32(addressFromBech32(delegator), VALOPER_PREFIX);
  const rate = (text: string, what: string) => {
    try {
      return decToProto(decFromString(text, what));
    } catch (e) {
      throw new InputError(`invalid ${what} ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
  };
  const msg = MsgCreateValidator.fromPartial({
    description: { moniker: opts.moniker, identity: '', website: '', securityContact: '', details: '' },
    commission: {
      rate: rate(opts.commissionRate, 'commission rate'),
      maxRate: rate(opts.commissionMaxRate, 'commission max rate'),
      maxChangeRate: rate(opts.commissionMaxChangeRate, 'commission max change rate'),
    },
    minSelfDelegation: opts.minSelfDelegation,
    delegatorAddress: delegator,
    validatorAddress: operator,
    pubkey: {
      typeUrl: '/cosmos.crypto.ed25519.PubKey',
      value: encodeProto(Ed25519PubKey, { key: opts.consensusPubKey }),
    },
    value: { denom: opts.amount.denom, amount: opts.amount.amount.toString() },
  });
  const bodyBytes = encodeProto(TxBody, {
    messages: [
      { typeUrl: '/cosmos.staking.v1beta1.MsgCreateValidator', value: encodeProto(MsgCreateValidator, msg) },
    ],
    memo: '',
    timeoutHeight: 0n,
    unordered: false,
    extensionOptions: [],
    nonCriticalExtensionOptions: [],
  });
  const authInfoBytes = encodeProto(AuthInfo, {
    signerInfos: [
      {
        publicKey: {
          typeUrl: '/cosmos.crypto.secp256k1.PubKey',
          value: encodeProto(Secp256k1PubKey, { key: account!.pubkey }),
        },
        modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
        sequence: 0n,
      },
    ],
    fee: { amount: [], gasLimit: 300_000n, payer: '', granter: '' },
  });
  // At genesis accounts sign with account number 0 (as the SDK's gentxs do).
  const { signature } = await opts.wallet.signDirect(delegator, {
    bodyBytes,
    authInfoBytes,
    chainId: opts.chainId,
    accountNumber: 0n,
  });
  return encodeProto(TxRaw, {
    bodyBytes,
    authInfoBytes,
    signatures: [Buffer.from(signature.signature, 'base64')],
  });
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
    new Command('gentx')
      .description('sign a genesis transaction that makes this node a validator (MsgCreateValidator)')
      .argument('<key-name>', 'the keyring key of the validator operator (must be funded in genesis)')
      .argument('<amount>', 'self-delegation, e.g. 100000000uhth')
      .option('--home <dir>', 'node home directory', defaultHome())
      .option('--moniker <name>', 'validator name (default: the node moniker)')
      .option('--commission-rate <dec>', 'initial commission rate', '0.10')
      .option('--commission-max-rate <dec>', 'maximum commission rate', '0.20')
      .option('--commission-max-change-rate <dec>', 'maximum daily commission change', '0.01')
      .option('--min-self-delegation <int>', 'minimum self-delegation', '1')
      .option('--keyring-passphrase-file <file>', 'read the keyring passphrase from this file')
      .option(
        '--output-document <file>',
        'where to write the gentx (default: <home>/config/gentx/gentx-<node-id>.json)',
      )
      .action(async (keyName: string, amountText: string, opts: GentxOpts) => {
        const coins = parseCoinsArg(amountText);
        if (coins.length !== 1) throw new InputError('the self-delegation must be one coin');
        const paths = homePaths(opts.home);
        const config = readNodeConfigFile(paths.configFile);
        const resolved = homePaths(opts.home, config);
        const doc = readGenesisFile(resolved.genesisFile);
        const pv = FilePV.load(pvPaths(resolved));
        if (pv.pubKey.type !== 'ed25519') throw new InputError('the consensus key must be ed25519');
        const keyring = new Keyring(opts.home);
        const wallet = await keyring.wallet(keyName, await keyringPassphrase(opts));
        const raw = await buildGenTx({
          wallet,
          chainId: doc.chainId,
          consensusPubKey: pv.pubKey.key,
          amount: coins[0]!,
          moniker: opts.moniker ?? config.moniker,
          commissionRate: opts.commissionRate,
          commissionMaxRate: opts.commissionMaxRate,
          commissionMaxChangeRate: opts.commissionMaxChangeRate,
          minSelfDelegation: opts.minSelfDelegation,
        });
        // Check it against this genesis now rather than at chain start.
        const appState = JSON.parse(doc.appStateJson ?? '{}') as Json;
        validateGenTxs({ ...appState, genutil: { gen_txs: [genTxRawToJson(raw)] } });
        const nodeId = loadNodeKey(resolved.nodeKeyFile).id;
        const out = opts.outputDocument ?? join(resolved.configDir, 'gentx', `gentx-${nodeId}.json`);
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, `${JSON.stringify(genTxRawToJson(raw), null, 2)}\n`);
        process.stdout.write(`genesis transaction written to ${out}\n`);
      }),
  );
  genesis.addCommand(
    new Command('collect-gentxs')
      .description('put every gentx into genesis.json; the validator set then comes from them at InitChain')
      .option('--home <dir>', 'node home directory', defaultHome())
      .option('--gentx-dir <dir>', 'directory of gentx JSON files (default: <home>/config/gentx)')
      .action((opts: { home: string; gentxDir?: string }) => {
        const resolved = homePaths(opts.home, readNodeConfigFile(homePaths(opts.home).configFile));
        const dir = opts.gentxDir ?? join(resolved.configDir, 'gentx');
        if (!existsSync(dir)) throw new InputError(`no gentx directory at ${dir}`);
        const files = readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .sort();
        if (files.length === 0) throw new InputError(`no gentx files in ${dir}`);
        const genTxs = files.map((f) => {
          try {
            return JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
          } catch (e) {
            throw new InputError(`${f} is not valid JSON: ${(e as Error).message}`);
          }
        });
        const doc = readGenesisFile(resolved.genesisFile);
        const appState = { ...(JSON.parse(doc.appStateJson ?? '{}') as Json), genutil: { gen_txs: genTxs } };
        validateAppState(appState);
        validateGenTxs(appState);
        writeGenesisFile(resolved.genesisFile, {
          ...doc,
          validators: [],
          appStateJson: JSON.stringify(appState, null, 2),
        });
        process.stdout.write(`collected ${files.length} gentxs into ${resolved.genesisFile}\n`);
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
