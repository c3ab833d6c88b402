import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as arb from './arbitraries.js';
import { decodeBlock, decodePart, encodePart } from './encoding.js';
import { ValidationError } from './errors.js';
import { headerHash } from './hashes.js';
import { hashFromByteSlices } from './merkle.js';
import { makeBlockId, makeBlockParts, makeParts, PartSet } from './partSet.js';
import { BLOCK_PART_SIZE_BYTES, type Block } from './types.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function bigBlock(): Block {
  const base = fc.sample(arb.block(), { numRuns: 1, seed: 42 })[0]!;
  const txs = [150_000, 1, 70_000].map((n, i) => new Uint8Array(n).fill(i + 1));
  return { ...base, header: { ...base.header, validatorsHash: new Uint8Array(32).fill(3) }, data: { txs } };
}

describe('block parts', () => {
  it('cuts a block into 64 KiB parts whose merkle root is the part-set hash', () => {
    const block = bigBlock();
    const { bytes, header, parts, blockId } = makeBlockParts(block);
    expect(header.total).toBe(Math.ceil(bytes.length / BLOCK_PART_SIZE_BYTES));
    expect(header.total).toBeGreaterThanOrEqual(4);
    expect(parts.slice(0, -1).every((p) => p.bytes.length === BLOCK_PART_SIZE_BYTES)).toBe(true);
    expect(hex(header.hash)).toBe(hex(hashFromByteSlices(parts.map((p) => p.bytes))));
    expect(hex(blockId.hash)).toBe(hex(headerHash(block.header)));
    expect(makeBlockId(block)).toEqual(blockId);
  });

  it('reassembles from parts received in any order, over the wire, into the same block', () => {
    const block = bigBlock();
    const { header, parts, bytes } = makeBlockParts(block);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...parts.keys()], { minLength: parts.length, maxLength: parts.length }),
        (order) => {
          const ps = new PartSet(header);
          for (const i of order) {
            expect(ps.isComplete).toBe(false);
            expect(ps.addPart(decodePart(encodePart(parts[i]!)))).toBe(true);
          }
          expect(ps.isComplete).toBe(true);
          expect(Buffer.compare(ps.assemble(), bytes)).toBe(0);
        },
      ),
      { numRuns: 10 },
    );
    // compare big byte arrays as hex: element-wise deep equality on 200 KB is slow
    const back = decodeBlock(bytes);
    expect(back.data.txs.map(hex)).toEqual(block.data.txs.map(hex));
    expect({ ...back, data: null }).toEqual({ ...block, data: null });
  });

  it('ignores duplicates and refuses parts that do not belong', () => {
    const { header, parts } = makeBlockParts(bigBlock());
    const other = makeParts(new Uint8Array(3 * BLOCK_PART_SIZE_BYTES + 10).fill(9));
    const ps = new PartSet(header);
    const p1 = parts[1]!;
    expect(ps.addPart(p1)).toBe(true);
    expect(ps.addPart(p1)).toBe(false);
    expect(() => ps.addPart({ ...parts[0]!, index: header.total })).toThrow(/unexpected part index/);
    expect(() => ps.addPart({ ...parts[0]!, index: 2 })).toThrow(/proof index/);
    expect(() => ps.addPart(other.parts[0]!)).toThrow(/invalid part #0/);
    const tampered = Uint8Array.from(parts[2]!.bytes);
    tampered[100]! ^= 1;
    expect(() => ps.addPart({ ...parts[2]!, bytes: tampered })).toThrow(ValidationError);
    expect(() => ps.addPart({ ...parts[3]!, proof: { ...parts[3]!.proof, total: 99n } })).toThrow(
      ValidationError,
    );
    expect(() => ps.addPart({ ...parts[0]!, bytes: new Uint8Array(BLOCK_PART_SIZE_BYTES + 1) })).toThrow(
      /too big/,
    );
    expect(ps.count).toBe(1);
    expect(() => ps.assemble()).toThrow(/incomplete/);
  });

  it('refuses an impossible part-set header', () => {
    expect(() => new PartSet({ total: 5000, hash: new Uint8Array(32) })).toThrow(/exceeds/);
    expect(() => new PartSet({ total: 1, hash: new Uint8Array(5) })).toThrow(/Hash size/);
  });

  it('small payloads: one part per chunk for any part size', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        (data, size) => {
          const ps = PartSet.fromData(data, size);
          expect(ps.total).toBe(Math.ceil(data.length / size));
          expect(hex(ps.assemble())).toBe(hex(data));
        },
      ),
      { numRuns: 50 },
    );
  });
});
