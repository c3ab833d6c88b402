/**
 * The keyring: BIP39 mnemonics encrypted at rest, one file per key under `<home>/keyring/`.
 * Encryption: scrypt (N=2^15, r=8, p=1) derives a 256-bit key from the passphrase; AES-256-GCM
 * seals the mnemonic with the key's name and address as associated data, so a file cannot be
 * swapped under another name undetected. Addresses are those CosmJS' DirectSecp256k1HdWallet
 * derives on m/44'/118'/0'/0/0. Nothing here logs or prints a secret unless asked to export it.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Bip39, EnglishMnemonic, Random } from '@cosmjs/crypto';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;
const KDF = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

export interface KeyInfo {
  name: string;
  address: string;
  /** Compressed secp256k1 public key, base64. */
  pubkey: string;
}

interface KeyFile extends KeyInfo {
  version: 1;
  crypto: {
    kdf: 'scrypt';
    N: number;
    r: number;
    p: number;
    salt: string;
    cipher: 'aes-256-gcm';
    iv: string;
    tag: string;
    ciphertext: string;
  };
}

export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

export async function walletFromMnemonic(mnemonic: string): Promise<DirectSecp256k1HdWallet> {
  try {
    // Validates words and checksum.
    new EnglishMnemonic(mnemonic.trim());
  } catch (e) {
    throw new KeyringError(`invalid mnemonic: ${(e as Error).message}`);
  }
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic.trim(), { prefix: 'hearth' });
}

export function newMnemonic(): string {
  return Bip39.encode(Random.getBytes(32)).toString();
}

export class Keyring {
  readonly dir: string;

  constructor(home: string) {
    this.dir = join(home, 'keyring');
  }

  private path(name: string): string {
    if (!NAME_RE.test(name)) {
      throw new KeyringError(
        `invalid key name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-' (max 64)`,
      );
    }
    return join(this.dir, `${name}.json`);
  }

  has(name: string): boolean {
    return existsSync(this.path(name));
  }

  /** Encrypts and stores `mnemonic` under `name`. Refuses to overwrite an existing key. */
  async add(name: string, mnemonic: string, passphrase: string): Promise<KeyInfo> {
    if (passphrase.length < 8)
      throw new KeyringError('the keyring passphrase must have at least 8 characters');
    const file = this.path(name);
    if (existsSync(file)) throw new KeyringError(`a key named ${name} already exists`);
    const wallet = await walletFromMnemonic(mnemonic);
    const [account] = await wallet.getAccounts();
    const info: KeyInfo = {
      name,
      address: account!.address,
      pubkey: Buffer.from(account!.pubkey).toString('base64'),
    };
    for (const other of this.list()) {
      if (other.address === info.address)
        throw new KeyringError(`this key is already stored as ${other.name}`);
    }
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = await scrypt(passphrase, salt, 32, KDF);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${info.name}|${info.address}`));
    const ciphertext = Buffer.concat([cipher.update(mnemonic.trim(), 'utf8'), cipher.final()]);
    const record: KeyFile = {
      version: 1,
      ...info,
      crypto: {
        kdf: 'scrypt',
        N: KDF.N,
        r: KDF.r,
        p: KDF.p,
        salt: salt.toString('base64'),
        cipher: 'aes-256-gcm',
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64'),
      },
    };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
    chmodSync(file, 0o600);
    return info;
  }

  private read(name: string): KeyFile {
    const file = this.path(name);
    if (!existsSync(file)) throw new KeyringError(`no key named ${name} in ${this.dir}`);
    let rec: KeyFile;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
    } catch {
      throw new KeyringError(`key file ${file} is corrupt (not JSON)`);
    }
    if (
      rec.version !== 1 ||
      rec.crypto?.kdf !== 'scrypt' ||
      rec.crypto.cipher !== 'aes-256-gcm' ||
      rec.name !== name
    ) {
      throw new KeyringError(`key file ${file} is corrupt or of an unknown format`);
    }
    return rec;
  }

  show(name: string): KeyInfo {
    const { address, pubkey } = this.read(name);
    return { name, address, pubkey };
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => this.show(f.slice(0, -5)));
  }

  delete(name: string): void {
    this.read(name);
    rmSync(this.path(name));
  }

  /** Decrypts the mnemonic; a wrong passphrase or a tampered file fails authentication. */
  async mnemonic(name: string, passphrase: string): Promise<string> {
    const rec = this.read(name);
    const c = rec.crypto;
    const key = await scrypt(passphrase, Buffer.from(c.salt, 'base64'), 32, {
      N: c.N,
      r: c.r,
      p: c.p,
      maxmem: KDF.maxmem,
    });
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(c.iv, 'base64'));
    decipher.setAAD(Buffer.from(`${rec.name}|${rec.address}`));
    decipher.setAuthTag(Buffer.from(c.tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(c.ciphertext, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new KeyringError(`cannot decrypt key ${name}: wrong passphrase or corrupt key file`);
    }
  }

  async wallet(name: string, passphrase: string): Promise<DirectSecp256k1HdWallet> {
    const wallet = await walletFromMnemonic(await this.mnemonic(name, passphrase));
    const [account] = await wallet.getAccounts();
    if (account!.address !== this.read(name).address)
      throw new KeyringError(`key file for ${name} does not match its mnemonic`);
    return wallet;
  }
}
