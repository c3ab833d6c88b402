/** Generating a localnet on disk (no processes): homes, shared genesis, configs, manifest. */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Bip39, EnglishMnemonic } from '@cosmjs/crypto';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { validateAppState } from '@hearth/chain/app/app';
import { validateGenTxs } from '@hearth/chain/app/modules/genutil/genesis';
import { readGenesisFile, readNodeConfigFile } from '@hearth/chain/node/config/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevAccounts, USER_FUNDS, VALIDATOR_OPERATOR_FUNDS } from '../src/accounts.js';
import { LocalnetError } from '../src/errors.js';
import { type LocalnetManifest, readManifest, writeManifest } from '../src/manifest.js';
import { isPortFree, nodePorts, takenPorts } from '../src/ports.js';
import { commandLine, isHearthNode, isSupervisor } from '../src/processes.js';
import { generateLocalnet, SELF_DELEGATION } from '../src/setup.js';
import { tempDir } from './helpers.js';

describe('dev accounts', () => {
  it('are validator-0..N-1 then alice, bob, carol, dave, with fresh valid mnemonics and CosmJS addresses', async () => {
    const accounts = await generateDevAccounts(2);
    expect(accounts.map((a) => a.name)).toEqual([
      'validator-0',
      'validator-1',
      'alice',
      'bob',
      'carol',
      'dave',
    ]);
    expect(accounts.map((a) => a.funds)).toEqual([
      VALIDATOR_OPERATOR_FUNDS,
      VALIDATOR_OPERATOR_FUNDS,
      USER_FUNDS,
      USER_FUNDS,
      USER_FUNDS,
      USER_FUNDS,
    ]);
    expect(new Set(accounts.map((a) => a.mnemonic)).size).toBe(6);
    for (const a of accounts) {
      expect(a.mnemonic.split(' ')).toHaveLength(24);
      expect(Bip39.decode(new EnglishMnemonic(a.mnemonic))).toHaveLength(32);
      const wallet = await DirectSecp256k1HdWallet.fromMnemonic(a.mnemonic, { prefix: 'hearth' });
      expect((await wallet.getAccounts())[0]!.address).toBe(a.address);
      expect(a.address).toMatch(/^hearth1[02-9ac-hj-np-z]{38}$/);
    }
  });
});

describe('generateLocalnet with 4 validators', () => {
  let dir: string;
  let manifest: LocalnetManifest;
  const basePort = 31000;

  beforeAll(async () => {
    dir = tempDir('hearth-localnet-setup-');
    manifest = await generateLocalnet(
      { dir, chainId: 'hearth-localnet-1', validators: 4, basePort },
      await generateDevAccounts(4),
    );
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one identical genesis into every home, with the dev accounts and one gentx per node', () => {
    const files = [0, 1, 2, 3].map((i) =>
      readFileSync(join(dir, `node${i}`, 'config', 'genesis.json'), 'utf8'),
    );
    for (const f of files) expect(f).toBe(files[0]);
    const genesis = readGenesisFile(join(dir, 'node0', 'config', 'genesis.json'));
    expect(genesis.chainId).toBe('hearth-localnet-1');
    expect(genesis.validators).toEqual([]); // the set comes from the gentxs
    const appState = JSON.parse(genesis.appStateJson!);
    validateAppState(appState);
    const genTxs = validateGenTxs(appState);
    expect(genTxs).toHaveLength(4);
    const balances = appState.bank.balances as {
      address: string;
      coins: { denom: string; amount: string }[];
    }[];
    expect(balances).toHaveLength(8);
    for (const a of manifest.accounts) {
      const b = balances.find((x) => x.address === a.address);
      const expected = a.name.startsWith('validator-') ? VALIDATOR_OPERATOR_FUNDS : USER_FUNDS;
      expect(b?.coins, a.name).toEqual([{ denom: 'uhth', amount: expected.toString() }]);
    }
    // Each gentx is signed by its operator and names its node's consensus key.
    const text = JSON.stringify(appState.genutil.gen_txs);
    for (let i = 0; i < 4; i++) {
      const key = JSON.parse(
        readFileSync(join(dir, `node${i}`, 'config', 'priv_validator_key.json'), 'utf8'),
      );
      expect(text).toContain(key.pub_key.value);
      expect(text).toContain(`"moniker":"node${i}"`);
    }
    expect(text).toContain(`"amount":"${SELF_DELEGATION}"`);
  });

  it('gives node i its ports on 127.0.0.1, every other node as a persistent peer and ~1 s blocks', () => {
    for (let i = 0; i < 4; i++) {
      const c = readNodeConfigFile(join(dir, `node${i}`, 'config', 'config.toml'));
      const p = nodePorts(basePort, i);
      expect(c.moniker).toBe(`node${i}`);
      expect(c.p2p.laddr).toBe(`tcp://127.0.0.1:${basePort + 100 * i}`);
      expect(c.rpc.laddr).toBe(`tcp://127.0.0.1:${basePort + 100 * i + 1}`);
      expect(c.proxyApp).toBe(`tcp://127.0.0.1:${p.abci}`);
      expect(c.instrumentation).toEqual({
        prometheus: true,
        prometheusListenAddr: `tcp://127.0.0.1:${p.prometheus}`,
      });
      expect(c.consensus.timeoutCommitMs).toBe(1000);
      expect(c.hearth.minimumGasPrices).toBe('0.025uhth');
      const others = manifest.nodes.filter((_, j) => j !== i);
      expect(c.p2p.persistentPeers).toEqual(others.map((n) => `${n.nodeId}@${n.p2p.replace('tcp://', '')}`));
    }
  });

  it('returns the documented manifest', () => {
    expect(manifest).toMatchObject({
      chainId: 'hearth-localnet-1',
      denom: 'uhth',
      bech32Prefix: 'hearth',
      gasPrice: '0.025uhth',
      basePort,
      supervisorPid: null,
    });
    expect(manifest.comment).toMatch(/DEVELOPMENT NETWORK ONLY/);
    expect(manifest.nodes.map((n) => [n.moniker, n.rpc, n.pid])).toEqual([
      ['node0', 'http://127.0.0.1:31001', null],
      ['node1', 'http://127.0.0.1:31101', null],
      ['node2', 'http://127.0.0.1:31201', null],
      ['node3', 'http://127.0.0.1:31301', null],
    ]);
    for (const [i, n] of manifest.nodes.entries()) {
      expect(n.home).toBe(join(dir, `node${i}`));
      const key = JSON.parse(readFileSync(join(n.home, 'config', 'priv_validator_key.json'), 'utf8'));
      expect(n.validatorAddress).toBe(key.address);
      expect(n.nodeId).toMatch(/^[0-9a-f]{40}$/);
    }
    expect(manifest.accounts.map((a) => a.name)).toEqual([
      'validator-0',
      'validator-1',
      'validator-2',
      'validator-3',
      'alice',
      'bob',
      'carol',
      'dave',
    ]);
  });
});

describe('localnet.json', () => {
  it('is written with mode 0600 and read back; a damaged file gets a clear error', async () => {
    const dir = tempDir('hearth-localnet-manifest-');
    try {
      expect(readManifest(dir)).toBeUndefined();
      const m: LocalnetManifest = {
        comment: 'dev',
        chainId: 'c',
        denom: 'uhth',
        bech32Prefix: 'hearth',
        gasPrice: '0.025uhth',
        basePort: 30000,
        supervisorPid: null,
        nodes: [
          {
            moniker: 'node0',
            rpc: 'http://127.0.0.1:30001',
            p2p: 'tcp://127.0.0.1:30000',
            nodeId: 'ab',
            prometheus: 'http://127.0.0.1:30004/metrics',
            home: '/h',
            validatorAddress: 'AB',
            pid: 123,
          },
        ],
        accounts: [{ name: 'alice', address: 'hearth1x', mnemonic: 'm' }],
      };
      writeManifest(dir, m);
      expect(statSync(join(dir, 'localnet.json')).mode & 0o777).toBe(0o600);
      expect(readManifest(dir)).toEqual(m);
      writeFileSync(join(dir, 'localnet.json'), '{"chainId": 5}');
      expect(() => readManifest(dir)).toThrow(LocalnetError);
      expect(() => readManifest(dir)).toThrow(/localnet.json is damaged \(chainId is not a string\)/);
      writeFileSync(join(dir, 'localnet.json'), '{');
      expect(() => readManifest(dir)).toThrow(/is damaged/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ports and processes', () => {
  it('node i uses base+100i for p2p, +1 RPC, +2 ABCI, +4 Prometheus', () => {
    expect(nodePorts(26656, 0)).toEqual({ p2p: 26656, rpc: 26657, abci: 26658, prometheus: 26660 });
    expect(nodePorts(26656, 3)).toEqual({ p2p: 26956, rpc: 26957, abci: 26958, prometheus: 26960 });
  });

  it('sees a port that something listens on as taken', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await isPortFree(port)).toBe(false);
      expect(await takenPorts([port])).toEqual([port]);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await isPortFree(port)).toBe(true);
  });

  it('does not take an unrelated or dead pid for a hearth node or a supervisor', () => {
    expect(commandLine(process.pid)?.[0]).toContain('node');
    expect(isHearthNode(process.pid, '/tmp')).toBe(false);
    expect(isSupervisor(process.pid)).toBe(false);
    expect(commandLine(2 ** 22 + 12345)).toBeUndefined();
    expect(isHearthNode(2 ** 22 + 12345, '/tmp')).toBe(false);
  });
});
