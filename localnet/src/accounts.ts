/**
 * Funded development accounts: `validator-0..N-1` (the validators' operators) and alice, bob,
 * carol, dave, each with a fresh 24-word BIP39 mnemonic. Addresses are derived exactly as
 * CosmJS' DirectSecp256k1HdWallet does (m/44'/118'/0'/0/0, prefix `hearth`).
 */
import { Bip39, Random } from '@cosmjs/crypto';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';

export const DENOM = 'uhth';
export const BECH32_PREFIX = 'hearth';
export const GAS_PRICE = '0.025uhth';
export const VALIDATOR_OPERATOR_FUNDS = 1_000_000_000_000n;
export const USER_FUNDS = 10_000_000_000n;
export const USER_NAMES = ['alice', 'bob', 'carol', 'dave'] as const;

export interface DevAccount {
  name: string;
  address: string;
  mnemonic: string;
  /** Genesis balance in uhth. */
  funds: bigint;
}

export async function devAccountFromMnemonic(
  name: string,
  mnemonic: string,
  funds: bigint,
): Promise<DevAccount> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: BECH32_PREFIX });
  const [account] = await wallet.getAccounts();
  if (!account) throw new Error('the wallet derived no account');
  return { name, address: account.address, mnemonic, funds };
}

/** N validator operators and the four users, with fresh randomness. */
export async function generateDevAccounts(validators: number): Promise<DevAccount[]> {
  const specs: [string, bigint][] = [
    ...Array.from({ length: validators }, (_, i): [string, bigint] => [
      `validator-${i}`,
      VALIDATOR_OPERATOR_FUNDS,
    ]),
    ...USER_NAMES.map((n): [string, bigint] => [n, USER_FUNDS]),
  ];
  return Promise.all(
    specs.map(([name, funds]) =>
      devAccountFromMnemonic(name, Bip39.encode(Random.getBytes(32)).toString(), funds),
    ),
  );
}
