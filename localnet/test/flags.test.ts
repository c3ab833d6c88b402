import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalnetError } from '../src/errors.js';
import { checkPortRange, DEFAULT_BASE_PORT, DEFAULT_CHAIN_ID, parseArgs } from '../src/flags.js';
import { signatureThreadsPerNode } from '../src/localnet.js';
import { main } from '../src/main.js';

const fail = (argv: string[]) => () => parseArgs(argv, '/work');

describe('localnet flags', () => {
  it('defaults to start with 4 validators in .localnet/ at 26656', () => {
    const a = parseArgs([], '/work');
    expect(a.command).toBe('start');
    expect(a.home).toBe(join('/work', '.localnet'));
    expect(a.start).toMatchObject({
      validators: 4,
      basePort: DEFAULT_BASE_PORT,
      chainId: DEFAULT_CHAIN_ID,
      detach: false,
      explicit: { validators: false, basePort: false, chainId: false },
    });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const a = parseArgs(
      ['start', '--validators', '2', '--home=x/y', '--base-port=30000', '--chain-id', 'dev-2', '--detach'],
      '/work',
    );
    expect(a.home).toBe('/work/x/y');
    expect(a.start).toMatchObject({
      validators: 2,
      basePort: 30000,
      chainId: 'dev-2',
      detach: true,
      explicit: { validators: true, basePort: true, chainId: true },
    });
    expect(parseArgs(['--', 'status', '--home', '/abs'], '/work')).toMatchObject({
      command: 'status',
      home: '/abs',
    });
    expect(parseArgs(['stop', '--help']).command).toBe('help');
  });

  it.each([
    [['--validators', '0'], /--validators must be between 1 and 64, got 0/],
    [['--validators', '65'], /between 1 and 64/],
    [['--validators', 'four'], /--validators expects a whole number, got "four"/],
    [['--validators', '-1'], /--validators needs a value|whole number/],
    [['--validators'], /--validators needs a value/],
    [['--base-port', '70000'], /--base-port must be between 1024 and 65535, got 70000/],
    [['--base-port', '80'], /between 1024 and 65535/],
    [['--base-port', '65500', '--validators', '2'], /needs ports up to 65604, above 65535/],
    [['launch'], /unknown command "launch": use start, stop, status or reset/],
    [['start', 'stop'], /unexpected argument "stop"/],
    [['--validator', '3'], /unknown flag "--validator"/],
    [['--chain-id', 'bad id!'], /invalid --chain-id/],
    [['--home', ''], /--home must not be empty/],
    [['--detach=yes'], /--detach takes no value/],
    [['stop', '--validators', '2'], /--validators applies to start only, not to stop/],
    [['reset', '--detach'], /--detach applies to start only/],
  ])('refuses %j', (argv, message) => {
    expect(fail(argv)).toThrow(LocalnetError);
    expect(fail(argv)).toThrow(message);
  });

  it('lets the last node use ports up to 65535 and no further', () => {
    expect(() => checkPortRange(1, 65531)).not.toThrow();
    expect(() => checkPortRange(1, 65532)).toThrow(/65536/);
    expect(() => checkPortRange(4, 65231)).not.toThrow();
    expect(() => checkPortRange(4, 65232)).toThrow(/above 65535/);
  });

  it('main prints one clear error line and exits 2 on bad flags', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await main(['--validators', '0'], io)).toBe(2);
    expect(err).toEqual(['localnet: --validators must be between 1 and 64, got 0']);
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(err[1]).toMatch(/unknown command "frobnicate"/);
    expect(out).toEqual([]);
    expect(await main(['--help'], io)).toBe(0);
    expect(out[0]).toMatch(/^Usage: pnpm localnet/);
  });

  it('stop, status and reset refuse a directory without a localnet', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l) };
    const dir = join('/nonexistent-localnet-dir', String(process.pid));
    expect(await main(['stop', '--home', dir], io)).toBe(2);
    expect(await main(['status', '--home', dir], io)).toBe(2);
    expect(err).toEqual([
      `localnet: no localnet in ${dir} (no localnet.json)`,
      `localnet: no localnet in ${dir} (no localnet.json)`,
    ]);
  });
});

describe('signature threads per node', () => {
  it('gives each node its share of the cores less its main thread, never below 0', () => {
    expect(signatureThreadsPerNode(1, 2)).toBe(1);
    expect(signatureThreadsPerNode(4, 2)).toBe(0);
    expect(signatureThreadsPerNode(2, 2)).toBe(0);
    expect(signatureThreadsPerNode(4, 8)).toBe(1);
    expect(signatureThreadsPerNode(1, 16)).toBe(15);
    expect(signatureThreadsPerNode(3, 1)).toBe(0);
  });
});
