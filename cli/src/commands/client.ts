/**
 * `hearth query` and `hearth tx`: talk to a running node over its CometBFT RPC with CosmJS,
 * exactly as a dApp would. Keys come from the encrypted keyring.
 */
import {
  type DeliverTxResponse,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  StargateClient,
  setupAuthExtension,
  setupBankExtension,
  setupStakingExtension,
} from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import { createHearthRegistry } from '@hearth/sdk';
import { Command, InvalidArgumentError } from 'commander';
import { defaultHome } from '../flags.js';
import { Keyring } from '../keyring.js';
import { InputError, keyringPassphrase } from '../passphrase.js';
import {
  encodeObjectFromJson,
  findQuery,
  fromJson,
  messageTypes,
  queryCodecs,
  queryMethods,
  readJsonArg,
} from './generic.js';
import { parseCoinsArg } from './genesis.js';

const DEFAULT_NODE = 'http://127.0.0.1:26657';

function nodeUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:26657');
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol))
    throw new InvalidArgumentError('use http(s):// or ws(s)://');
  return text;
}

const json = (v: unknown) =>
  `${JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex').toUpperCase() : x), 2)}\n`;

function withNode(cmd: Command): Command {
  return cmd.option('--node <url>', "the node's RPC address", nodeUrl, DEFAULT_NODE);
}

export function queryCommand(): Command {
  const q = new Command('query').alias('q').description('read chain state from a node');
  q.addCommand(
    withNode(new Command('balances'))
      .description('all balances of an address')
      .argument('<address>')
      .action(async (address: string, opts: { node: string }) => {
        const client = await StargateClient.connect(opts.node);
        process.stdout.write(json(await client.getAllBalances(address)));
        client.disconnect();
      }),
  );
  q.addCommand(
    withNode(new Command('account'))
      .description("an account's number, sequence and public key")
      .argument('<address>')
      .action(async (address: string, opts: { node: string }) => {
        const client = await StargateClient.connect(opts.node);
        const acc = await client.getAccount(address);
        client.disconnect();
        if (!acc) throw new InputError(`account ${address} not found (it has never received funds)`);
        process.stdout.write(json(acc));
      }),
  );
  q.addCommand(
    withNode(new Command('tx'))
      .description('a committed transaction by hash')
      .argument('<hash>')
      .action(async (hash: string, opts: { node: string }) => {
        if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new InputError('a tx hash is 64 hex characters');
        const client = await StargateClient.connect(opts.node);
        const tx = await client.getTx(hash.toUpperCase());
        client.disconnect();
        if (!tx) throw new InputError(`no committed tx ${hash}`);
        process.stdout.write(json({ ...tx, tx: undefined }));
      }),
  );
  q.addCommand(
    withNode(new Command('validators'))
      .description('bonded validators (x/staking)')
      .action(async (opts: { node: string }) => {
        const comet = await connectComet(opts.node);
        const qc = QueryClient.withExtensions(
          comet,
          setupStakingExtension,
          setupAuthExtension,
          setupBankExtension,
        );
        const res = await qc.staking.validators('BOND_STATUS_BONDED');
        comet.disconnect();
        process.stdout.write(
          json(
            res.validators.map((v) => ({
              operator: v.operatorAddress,
              moniker: v.description?.moniker,
              tokens: v.tokens,
              jailed: v.jailed,
            })),
          ),
        );
      }),
  );
  q.addCommand(
    withNode(new Command('hearth'))
      .description(
        'any Hearth module query, e.g. market.Deployments \'{"owner":"hearth1..."}\' (request and answer in proto3 JSON)',
      )
      .argument(
        '[query]',
        '<module>.<Method> (provider, market, escrow) or /hearth.<module>.v1.Query/<Method>',
      )
      .argument('[json]', 'the request as proto3 JSON (camelCase fields), or @file', '{}')
      .option('--list', 'list the queries and exit')
      .action(async (name: string | undefined, jsonText: string, opts: { node: string; list?: boolean }) => {
        if (opts.list) {
          process.stdout.write(
            `${queryMethods()
              .map((m) => m.path)
              .join('\n')}\n`,
          );
          return;
        }
        if (name === undefined)
          throw new InputError('usage: hearth query hearth <query> [json | @file] (or --list)');
        const method = findQuery(name);
        const { request, response } = queryCodecs(method);
        const req = fromJson(request, readJsonArg(jsonText, 'the request'), method.path);
        const comet = await connectComet(opts.node);
        try {
          const res = await QueryClient.withExtensions(comet).queryAbci(
            method.path,
            request.encode(req).finish(),
          );
          process.stdout.write(json(response.toJSON(response.decode(res.value))));
        } catch (e) {
          throw new InputError(`${method.path}: ${(e as Error).message}`);
        } finally {
          comet.disconnect();
        }
      }),
  );
  q.addCommand(
    withNode(new Command('status'))
      .description("the node's chain id and latest block")
      .action(async (opts: { node: string }) => {
        const comet = await connectComet(opts.node);
        const st = await comet.status();
        comet.disconnect();
        process.stdout.write(
          json({
            chainId: st.nodeInfo.network,
            moniker: st.nodeInfo.moniker,
            latestBlockHeight: st.syncInfo.latestBlockHeight,
            latestBlockTime: st.syncInfo.latestBlockTime.toISOString(),
            catchingUp: st.syncInfo.catchingUp,
          }),
        );
      }),
  );
  return q;
}

interface SignerOptions {
  node: string;
  home: string;
  keyringPassphraseFile?: string;
  gasPrices: string;
  memo: string;
}

/** The options every signing command takes. */
function withSigner(cmd: Command): Command {
  return withNode(cmd)
    .option('--home <dir>', 'home directory holding the keyring', defaultHome())
    .option('--keyring-passphrase-file <file>', 'read the keyring passphrase from this file')
    .option('--gas-prices <price>', 'gas price for the fee (gas is simulated, times 1.4)', '0.025uhth')
    .option('--memo <text>', 'tx memo', '');
}

/**
 * Opens the keyring key, signs with SIGN_MODE_DIRECT through CosmJS (Hearth's Msgs registered),
 * broadcasts, waits for the tx to be committed and prints the outcome; a failed tx exits with 1.
 */
async function signAndPrint(
  fromKey: string,
  opts: SignerOptions,
  send: (client: SigningStargateClient, address: string) => Promise<DeliverTxResponse>,
): Promise<void> {
  let gasPrice: GasPrice;
  try {
    gasPrice = GasPrice.fromString(opts.gasPrices);
  } catch (e) {
    throw new InputError(`invalid --gas-prices: ${(e as Error).message}`);
  }
  const wallet = await new Keyring(opts.home).wallet(fromKey, await keyringPassphrase(opts));
  const [account] = await wallet.getAccounts();
  const client = await SigningStargateClient.connectWithSigner(opts.node, wallet, {
    gasPrice,
    registry: createHearthRegistry(),
  });
  let res: DeliverTxResponse;
  try {
    res = await send(client, account!.address);
  } finally {
    client.disconnect();
  }
  process.stdout.write(
    json({
      txhash: res.transactionHash,
      height: res.height,
      code: res.code,
      gasUsed: res.gasUsed,
      gasWanted: res.gasWanted,
      rawLog: res.rawLog,
      events: res.events,
    }),
  );
  if (res.code !== 0) process.exitCode = 1;
}

export function txCommand(): Command {
  const tx = new Command('tx').description('sign and broadcast transactions with a keyring key');
  tx.addCommand(
    withSigner(new Command('send'))
      .description('send coins (x/bank MsgSend); waits for the tx to be committed')
      .argument('<from-key>', 'keyring key name of the sender')
      .argument('<to-address>')
      .argument('<amount>', 'e.g. 1000uhth')
      .action(async (fromKey: string, to: string, amountText: string, opts: SignerOptions) => {
        const coins = parseCoinsArg(amountText).map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
        await signAndPrint(fromKey, opts, (client, from) =>
          client.sendTokens(from, to, coins, 'auto', opts.memo),
        );
      }),
  );
  tx.addCommand(
    withSigner(new Command('msg'))
      .description(
        'sign and broadcast any message from its proto3 JSON, e.g. market.MsgCreateDeployment (Hearth) or /cosmos.staking.v1beta1.MsgDelegate; waits for the tx to be committed',
      )
      .argument('[from-key]', 'keyring key name of the signer')
      .argument('[type]', 'type URL, or <module>.<Msg> for provider, market and escrow')
      .argument('[json]', 'the message as proto3 JSON (camelCase fields), or @file')
      .option('--list', 'list the message types and exit')
      .action(
        async (
          fromKey: string | undefined,
          type: string | undefined,
          jsonText: string | undefined,
          opts: SignerOptions & { list?: boolean },
        ) => {
          if (opts.list) {
            process.stdout.write(`${messageTypes().join('\n')}\n`);
            return;
          }
          if (fromKey === undefined || type === undefined || jsonText === undefined)
            throw new InputError('usage: hearth tx msg <from-key> <type> <json | @file> (or --list)');
          const message = encodeObjectFromJson(type, readJsonArg(jsonText, 'the message'));
          await signAndPrint(fromKey, opts, (client, from) =>
            client.signAndBroadcast(from, [message], 'auto', opts.memo),
          );
        },
      ),
  );
  return tx;
}
