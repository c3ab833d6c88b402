/** `hearth keys`: manage the encrypted keyring. */
import { Command } from 'commander';
import { defaultHome } from '../flags.js';
import { Keyring, newMnemonic } from '../keyring.js';
import { InputError, keyringPassphrase, promptHidden, readStdin } from '../passphrase.js';

interface KeyOpts {
  home: string;
  keyringPassphraseFile?: string;
  output: 'text' | 'json';
}

function print(opts: KeyOpts, value: object, text: string): void {
  process.stdout.write(opts.output === 'json' ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

function common(cmd: Command): Command {
  return cmd
    .option('--home <dir>', 'home directory', defaultHome())
    .option(
      '--keyring-passphrase-file <file>',
      'read the keyring passphrase from this file (else $HEARTH_KEYRING_PASSPHRASE, else a prompt)',
    )
    .option('--output <format>', 'text or json', 'text');
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage the keys in the encrypted keyring');

  keys.addCommand(
    common(new Command('add'))
      .argument('<name>', 'a name for the key')
      .option('--recover', 'recover from a mnemonic read from standard input (or asked for on a terminal)')
      .description('create a new key (or recover one) and store it encrypted')
      .action(async (name: string, opts: KeyOpts & { recover?: boolean }) => {
        const kr = new Keyring(opts.home);
        if (kr.has(name)) throw new InputError(`a key named ${name} already exists`);
        let mnemonic: string;
        if (opts.recover) {
          mnemonic = process.stdin.isTTY
            ? await promptHidden('Mnemonic: ')
            : ((await readStdin()).split(/\r?\n/)[0] ?? '');
        } else {
          mnemonic = newMnemonic();
        }
        const info = await kr.add(name, mnemonic, await keyringPassphrase(opts, true));
        if (opts.recover) {
          print(opts, info, `${info.name}\t${info.address}`);
        } else {
          print(
            opts,
            { ...info, mnemonic },
            `${info.name}\t${info.address}\n\nWrite down this mnemonic; it is the only way to recover the key:\n\n${mnemonic}`,
          );
        }
      }),
  );

  keys.addCommand(
    common(new Command('list'))
      .description('list the keys (names and addresses; no passphrase needed)')
      .action((opts: KeyOpts) => {
        const list = new Keyring(opts.home).list();
        print(opts, list, list.map((k) => `${k.name}\t${k.address}`).join('\n'));
      }),
  );

  keys.addCommand(
    common(new Command('show'))
      .argument('<name>')
      .option('-a, --address', 'print only the address')
      .description("show a key's address and public key")
      .action((name: string, opts: KeyOpts & { address?: boolean }) => {
        const info = new Keyring(opts.home).show(name);
        if (opts.address) process.stdout.write(`${info.address}\n`);
        else print(opts, info, `${info.name}\t${info.address}\t${info.pubkey}`);
      }),
  );

  keys.addCommand(
    common(new Command('delete'))
      .argument('<name>')
      .option('-y, --yes', 'confirm the deletion')
      .description('delete a key from the keyring')
      .action((name: string, opts: KeyOpts & { yes?: boolean }) => {
        if (!opts.yes) throw new InputError('deleting a key cannot be undone; pass --yes to confirm');
        new Keyring(opts.home).delete(name);
        print(opts, { deleted: name }, `deleted ${name}`);
      }),
  );

  keys.addCommand(
    common(new Command('export'))
      .argument('<name>')
      .option('--unsafe-export-mnemonic', 'print the mnemonic in clear text')
      .description("print a key's mnemonic (needs the passphrase)")
      .action(async (name: string, opts: KeyOpts & { unsafeExportMnemonic?: boolean }) => {
        if (!opts.unsafeExportMnemonic) {
          throw new InputError('this prints the secret mnemonic; pass --unsafe-export-mnemonic to confirm');
        }
        const mnemonic = await new Keyring(opts.home).mnemonic(name, await keyringPassphrase(opts));
        process.stdout.write(`${mnemonic}\n`);
      }),
  );
  return keys;
}
