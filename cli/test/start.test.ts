import { describe, expect, it } from 'vitest';
import { startCommand } from '../src/commands/start.js';

/** Parses `hearth start` flags without running it: only refusals are exercised. */
async function refusal(args: string[]): Promise<string> {
  const cmd = startCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the flags were accepted');
}

describe('hearth start flags', () => {
  it('refuses a bad --signature-threads with a clear message', async () => {
    expect(await refusal(['--signature-threads', 'abc'])).toMatch(
      /--signature-threads.*non-negative integer/,
    );
    expect(await refusal(['--signature-threads', '-1'])).toMatch(/--signature-threads/);
    expect(await refusal(['--signature-threads', '65'])).toMatch(/at most 64/);
  });
});
