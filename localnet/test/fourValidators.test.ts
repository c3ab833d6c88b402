/**
 * The default localnet shape: 4 validators over real p2p on loopback. They must connect to each
 * other, agree on every block, gossip a tx sent to one node to the others, and keep going with
 * one node down (3 of 4 equal powers is more than 2/3).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { calculateFee, GasPrice, SigningStargateClient, StargateClient } from '@cosmjs/stargate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalnetManifest, readManifest } from '../src/manifest.js';
import { fetchPeerCount, fetchStatus } from '../src/rpc.js';
import { alive, freeBasePort, runLocalnet, tempDir, waitFor } from './helpers.js';

async function blockHash(rpc: string, height: bigint): Promise<string> {
  const res = (await (await fetch(`${rpc}/block?height=${height}`)).json()) as {
    result: { block_id: { hash: string } };
  };
  return res.result.block_id.hash;
}

describe('localnet start --validators 4 --detach', () => {
  let root: string;
  let dir: string;
  let m: LocalnetManifest;

  beforeAll(async () => {
    root = tempDir('hearth-localnet-4-');
    dir = join(root, 'net');
    const base = await freeBasePort(4);
    const r = await runLocalnet([
      'start',
      '--validators',
      '4',
      '--home',
      dir,
      '--base-port',
      String(base),
      '--detach',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    m = readManifest(dir)!;
  }, 150_000);

  afterAll(async () => {
    if (m) await runLocalnet(['stop', '--home', dir]);
    for (const n of m?.nodes ?? []) if (n.pid !== null && alive(n.pid)) process.kill(n.pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('connects every node to the 3 others, with the 4 gentx validators in the set', async () => {
    expect(m.nodes).toHaveLength(4);
    for (const n of m.nodes) {
      await waitFor(`${n.moniker} to have 3 peers`, async () =>
        (await fetchPeerCount(n.rpc)) === 3 ? true : undefined,
      );
    }
    const vals = (await (await fetch(`${m.nodes[2]!.rpc}/validators`)).json()) as {
      result: { validators: { address: string; voting_power: string }[] };
    };
    expect(vals.result.validators.map((v) => v.address).sort()).toEqual(
      m.nodes.map((n) => n.validatorAddress).sort(),
    );
    expect(new Set(vals.result.validators.map((v) => v.voting_power)).size).toBe(1);
  }, 60_000);

  it('all nodes commit the same blocks', async () => {
    const target = (await fetchStatus(m.nodes[0]!.rpc)).height + 2n;
    for (const n of m.nodes)
      await waitFor(`${n.moniker} at ${target}`, async () =>
        (await fetchStatus(n.rpc)).height >= target ? true : undefined,
      );
    for (let h = 1n; h <= target; h++) {
      const hashes = await Promise.all(m.nodes.map((n) => blockHash(n.rpc, h)));
      expect(new Set(hashes).size, `block ${h}`).toBe(1);
    }
  }, 60_000);

  it('a tx sent to node1 is committed and visible on node3', async () => {
    const carol = m.accounts.find((a) => a.name === 'carol')!;
    const dave = m.accounts.find((a) => a.name === 'dave')!;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(carol.mnemonic, { prefix: m.bech32Prefix });
    const client = await SigningStargateClient.connectWithSigner(m.nodes[1]!.rpc, wallet);
    const r = await client.sendTokens(
      carol.address,
      dave.address,
      [{ denom: m.denom, amount: '777' }],
      calculateFee(200_000, GasPrice.fromString(m.gasPrice)),
    );
    expect(r.code, r.rawLog).toBe(0);
    client.disconnect();
    const node3 = await StargateClient.connect(m.nodes[3]!.rpc);
    await waitFor('the transfer on node3', async () =>
      (await node3.getBalance(dave.address, m.denom)).amount === '10000000777' ? true : undefined,
    );
    node3.disconnect();
  }, 60_000);

  it('keeps producing blocks with one validator down', async () => {
    const down = m.nodes[3]!;
    process.kill(down.pid!, 'SIGTERM');
    await waitFor('node3 to exit', async () => (alive(down.pid!) ? undefined : true));
    const h = (await fetchStatus(m.nodes[0]!.rpc)).height;
    await waitFor('two more blocks without node3', async () =>
      (await fetchStatus(m.nodes[0]!.rpc)).height >= h + 2n ? true : undefined,
    );
    const status = await runLocalnet(['status', '--home', dir]);
    expect(status.stdout).toContain('3/4 node(s) running');
    expect(status.stdout).toMatch(/node3\s+stopped/);
  }, 60_000);
});
