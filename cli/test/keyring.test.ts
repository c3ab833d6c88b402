import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { afterAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/keyring.js';

const MNEMONIC =
  'surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put';
const homes: string[] = [];
const home = () => {
  const h = mkdtempSync(join(tmpdir(), 'hearth-keys-'));
  homes.push(h);
  return h;
};
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('Keyring', () => {
  it('stores keys encrypted, with the addresses CosmJS derives', async () => {
    const kr = new Keyring(home());
    const info = await kr.add('alice', MNEMONIC, 'correct horse');
    const cosmjs = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: 'hearth' });
    expect(info.address).toBe((await cosmjs.getAccounts())[0]!.address);
    const file = readFileSync(join(kr.dir, 'alice.json'), 'utf8');
    for (const word of MNEMONIC.split(' ')) expect(file).not.toContain(` ${word} `);
    expect(file).not.toContain(MNEMONIC);
    expect(await kr.mnemonic('alice', 'correct horse')).toBe(MNEMONIC);
    const wallet = await kr.wallet('alice', 'correct horse');
    expect((await wallet.getAccounts())[0]!.address).toBe(info.address);
    expect(kr.list().map((k) => k.name)).toEqual(['alice']);
  });

  it('refuses a wrong passphrase, a tampered file, bad names, duplicates and bad mnemonics', async () => {
    const kr = new Keyring(home());
    await kr.add('alice', MNEMONIC, 'correct horse');
    await expect(kr.mnemonic('alice', 'wrong horse')).rejects.toThrow(/wrong passphrase or corrupt/);
    await expect(kr.add('alice', MNEMONIC, 'correct horse')).rejects.toThrow(/already exists/);
    await expect(kr.add('alice2', MNEMONIC, 'correct horse')).rejects.toThrow(/already stored as alice/);
    await expect(kr.add('carol', 'not a mnemonic at all', 'correct horse')).rejects.toThrow(
      /invalid mnemonic/,
    );
    await expect(kr.add('dave', MNEMONIC, 'short')).rejects.toThrow(/at least 8/);
    expect(() => kr.show('../etc/passwd')).toThrow(/invalid key name/);

    // Swap the ciphertext's associated name: authentication must fail.
    const path = join(kr.dir, 'alice.json');
    const rec = JSON.parse(readFileSync(path, 'utf8'));
    rec.address = 'hearth1j3a5xvmu3mq3ed6yl8jjadhyzacetcrmqlynte';
    writeFileSync(path, JSON.stringify(rec));
    await expect(kr.mnemonic('alice', 'correct horse')).rejects.toThrow(/wrong passphrase or corrupt/);
    writeFileSync(path, '{not json');
    expect(() => kr.show('alice')).toThrow(/corrupt/);
  });
});
