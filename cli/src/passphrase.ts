/** Where secrets come from: a file, an environment variable, or a hidden prompt on a terminal. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Reads one line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    return Promise.reject(
      new InputError(
        'no terminal to ask for the passphrase: use --keyring-passphrase-file or HEARTH_KEYRING_PASSPHRASE',
      ),
    );
  }
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function keyringPassphrase(
  opts: { keyringPassphraseFile?: string },
  confirm = false,
): Promise<string> {
  if (opts.keyringPassphraseFile) {
    let text: string;
    try {
      text = readFileSync(opts.keyringPassphraseFile, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read the passphrase file: ${(e as Error).message}`);
    }
    return text.replace(/\r?\n$/, '');
  }
  const env = process.env.HEARTH_KEYRING_PASSPHRASE;
  if (env !== undefined && env !== '') return env;
  const first = await promptHidden('Keyring passphrase: ');
  if (confirm) {
    const again = await promptHidden('Repeat the passphrase: ');
    if (again !== first) throw new InputError('the passphrases do not match');
  }
  return first;
}

/** All of standard input (for a mnemonic piped in). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
