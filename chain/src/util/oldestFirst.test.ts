import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OldestFirst } from './oldestFirst.js';

describe('OldestFirst', () => {
  it('always evicts the oldest live key, whatever was set, updated or deleted in between', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('evict' as const), key: fc.constant(0) }),
      fc.record({ kind: fc.constant('clear' as const), key: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const map = new Map<number, number>();
        const evictor = new OldestFirst(map);
        let model: number[] = []; // insertion order; set on a present key keeps its place
        for (const o of ops) {
          if (o.kind === 'set') {
            if (!model.includes(o.key)) model.push(o.key);
            map.set(o.key, o.key);
          } else if (o.kind === 'delete') {
            model = model.filter((k) => k !== o.key);
            map.delete(o.key);
          } else if (o.kind === 'evict') {
            model.shift();
            evictor.evict();
          } else {
            model = [];
            map.clear();
          }
          expect([...map.keys()]).toEqual(model);
        }
      }),
      { numRuns: 500 },
    );
  });
});
