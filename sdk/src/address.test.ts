import { pubkeyToAddress } from '@cosmjs/amino';
import { fromBech32, fromHex, toBase64, toHex } from '@cosmjs/encoding';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressFromPubkey,
  bech32Prefixes,
  convertAddress,
  fromHearthAddress,
  isHearthAddress,
  rawAddressFromPubkey,
  toHearthAddress,
} from './address.js';
import { InvalidAddressError } from './errors.js';

// CosmJS' own test vector (the simapp faucet mnemonic, address0 = cosmos1pkptre7f...mk8rs6),
// re-encoded with Hearth's prefixes. The hearth* strings were cross-checked with an independent
// BIP-173 implementation.
const mnemonic =
  'economy stock theory fatal elder harbor betray wasp final emotion task crumble siren bottom lizard educate guess current outdoor pair theory focus wife stone';
const pubkeyHex = '034f04181eeba35391b858633a765c4a0c189697b40d216354d50890d350c70290';
const rawHex = '0d82b1e7c96dbfa42462fe612932e6bff111d51b';
const cosmosAddress = 'cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6';
const hearthAddress = 'hearth1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmcy537w';
const hearthValoper = 'hearthvaloper1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmklx26v';
const hearthValcons = 'hearthvalcons1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmzv4kkd';

describe('CosmJS bech32 (KNOWN TRAP: @scure/base >= 2.3 breaks fromBech32 without a limit)', () => {
  it('decodes a hearth1 address through @cosmjs/encoding fromBech32 with its default limit', () => {
    // Fails with "limit: expected safe integer, got Infinity" if the @scure/base 2.2.0 override
    // in the root package.json is dropped.
    const decoded = fromBech32(hearthAddress);
    expect(decoded.prefix).toBe('hearth');
    expect(toHex(decoded.data)).toBe(rawHex);
  });

  it('derives the same address as DirectSecp256k1HdWallet with prefix hearth', async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: 'hearth' });
    const [account] = await wallet.getAccounts();
    if (!account) throw new Error('wallet returned no account');
    expect(toHex(account.pubkey)).toBe(pubkeyHex);
    expect(account.address).toBe(hearthAddress);
    expect(addressFromPubkey(account.pubkey)).toBe(account.address);
  });
});

describe('address helpers', () => {
  it('hashes a compressed secp256k1 key as ripemd160(sha256(pubkey))', () => {
    expect(toHex(rawAddressFromPubkey(fromHex(pubkeyHex)))).toBe(rawHex);
    expect(addressFromPubkey(fromHex(pubkeyHex))).toBe(hearthAddress);
    expect(addressFromPubkey(fromHex(pubkeyHex), 'validator')).toBe(hearthValoper);
  });

  it('encodes and decodes each kind with its prefix', () => {
    const raw = fromHex(rawHex);
    expect(toHearthAddress(raw)).toBe(hearthAddress);
    expect(toHearthAddress(raw, 'validator')).toBe(hearthValoper);
    expect(toHearthAddress(raw, 'consensus')).toBe(hearthValcons);
    expect(toHex(fromHearthAddress(hearthValcons, 'consensus'))).toBe(rawHex);
    expect(convertAddress(hearthAddress, 'account', 'validator')).toBe(hearthValoper);
    expect(convertAddress(hearthValoper, 'validator', 'account')).toBe(hearthAddress);
    expect(bech32Prefixes.validatorPub).toBe('hearthvaloperpub');
  });

  it('accepts upper-case addresses and returns the same bytes', () => {
    expect(toHex(fromHearthAddress(hearthAddress.toUpperCase()))).toBe(rawHex);
  });

  it('round-trips 32-byte and long (> 90 character) addresses', () => {
    for (const size of [20, 32, 64, 255]) {
      const raw = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
      const address = toHearthAddress(raw);
      expect(toHex(fromHearthAddress(address))).toBe(toHex(raw));
    }
  });

  it('rejects the wrong prefix with a message naming both prefixes', () => {
    expect(() => fromHearthAddress(cosmosAddress)).toThrow(InvalidAddressError);
    expect(() => fromHearthAddress(cosmosAddress)).toThrow(/prefix "cosmos", expected "hearth"/);
    expect(() => fromHearthAddress(hearthAddress, 'validator')).toThrow(/expected "hearthvaloper"/);
    expect(isHearthAddress(hearthValoper)).toBe(false);
    expect(isHearthAddress(hearthValoper, 'validator')).toBe(true);
  });

  it('rejects malformed addresses with InvalidAddressError, never a crash', () => {
    const last = hearthAddress.at(-1) === 'q' ? 'p' : 'q';
    const bad = [
      '',
      'hearth',
      'hearth1',
      `${hearthAddress.slice(0, -1)}${last}`, // checksum
      `Hearth1${hearthAddress.slice(7)}`, // mixed case
      'hearth1bbbbbbb!',
      42 as unknown as string,
      undefined as unknown as string,
    ];
    for (const address of bad) {
      expect(() => fromHearthAddress(address), String(address)).toThrow(InvalidAddressError);
      expect(isHearthAddress(address)).toBe(false);
    }
  });

  it('rejects public keys that are not 33-byte compressed secp256k1 keys', () => {
    const key = fromHex(pubkeyHex);
    const uncompressed = new Uint8Array(65);
    uncompressed[0] = 0x04;
    const wrongPrefix = key.slice();
    wrongPrefix[0] = 0x04;
    for (const bad of [new Uint8Array(0), key.slice(0, 32), uncompressed, wrongPrefix]) {
      expect(() => addressFromPubkey(bad)).toThrow(InvalidAddressError);
    }
    expect(() => addressFromPubkey('03ab' as unknown as Uint8Array)).toThrow(InvalidAddressError);
    expect(() => toHearthAddress(new Uint8Array(0))).toThrow(/1 to 255 bytes/);
    expect(() => toHearthAddress(new Uint8Array(256))).toThrow(/1 to 255 bytes/);
  });

  it('agrees with @cosmjs/amino pubkeyToAddress for any compressed key', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x02, 0x03), fc.uint8Array({ minLength: 32, maxLength: 32 }), (p, x) => {
        const pubkey = Uint8Array.of(p, ...x);
        const expected = pubkeyToAddress(
          { type: 'tendermint/PubKeySecp256k1', value: toBase64(pubkey) },
          'hearth',
        );
        expect(addressFromPubkey(pubkey)).toBe(expected);
        expect(toHex(fromHearthAddress(expected))).toBe(toHex(rawAddressFromPubkey(pubkey)));
      }),
      { numRuns: 200 },
    );
  });
});
