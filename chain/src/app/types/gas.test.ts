import { describe, expect, it } from 'vitest';
import { openMemoryCommitMultiStore } from '../../store/index.js';
import { GasKVStore, GasMeter } from './gas.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe('GasMeter', () => {
  it('counts exactly across the double range and past it', () => {
    const m = new GasMeter(-1n);
    m.consume(MAX_SAFE - 10n, 'a');
    m.consumeSmall(7, 'b');
    expect(m.consumed()).toBe(MAX_SAFE - 3n);
    m.consumeSmall(5, 'c'); // 2^53 + 1 is not a double: the meter must switch to bigint
    expect(m.consumed()).toBe(MAX_SAFE + 2n);
    m.consume(2n ** 64n, 'd');
    m.consumeSmall(1, 'e');
    expect(m.consumed()).toBe(MAX_SAFE + 3n + 2n ** 64n);
  });

  it('runs out exactly at the limit, with the SDK message, and reports the limit', () => {
    const m = new GasMeter(100n);
    m.consumeSmall(60, 'x');
    m.consume(40n, 'y');
    expect(m.remaining()).toBe(0n);
    expect(() => m.consumeSmall(1, 'ReadFlat')).toThrow(
      'out of gas in location: ReadFlat; gasWanted: 100, gasUsed: 101',
    );
    expect(m.reportedUsed()).toBe(100n);
  });

  it('handles a limit beyond 2^53 (uint64 gas limits)', () => {
    const limit = 2n ** 64n - 1n;
    const m = new GasMeter(limit);
    m.consume(limit - 5n, 'big');
    m.consumeSmall(5, 'fits');
    expect(m.remaining()).toBe(0n);
    expect(() => m.consumeSmall(1, 'over')).toThrow(`gasWanted: ${limit}, gasUsed: ${limit + 1n}`);
  });

  it('does not count when untracked', () => {
    const m = new GasMeter(10n, false);
    m.consume(1_000n, 'a');
    m.consumeSmall(1_000, 'b');
    expect(m.consumed()).toBe(0n);
  });

  it('charges the SDK KV costs per access', async () => {
    const store = await openMemoryCommitMultiStore({ storeNames: ['s'], keepRecent: 0 });
    const meter = new GasMeter(-1n);
    const kv = new GasKVStore(store.cacheMultiStore().getKVStore('s'), meter);
    kv.set(Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5)); // 2000 + 30 * 5
    expect(meter.consumed()).toBe(2150n);
    kv.get(Uint8Array.of(1, 2)); // 1000 + 3 * 5
    expect(meter.consumed()).toBe(3165n);
    kv.has(Uint8Array.of(9)); // 1000
    kv.delete(Uint8Array.of(1, 2)); // 1000
    expect(meter.consumed()).toBe(5165n);
    await store.close();
  });
});
