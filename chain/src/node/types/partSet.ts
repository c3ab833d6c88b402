/**
 * Block parts (types/part_set.go): a block's protobuf bytes cut into 64 KiB parts, each with a
 * merkle inclusion proof against the PartSetHeader hash (the merkle root over the raw parts).
 * The block ID is the header hash plus that PartSetHeader.
 */
import { encodeBlock } from './encoding.js';
import { ValidationError } from './errors.js';
import { headerHash } from './hashes.js';
import { proofProblem, proofsFromByteSlices, verifyProof } from './merkle.js';
import {
  BLOCK_PART_SIZE_BYTES,
  type Block,
  type BlockId,
  bytesEqual,
  HASH_SIZE,
  MAX_BLOCK_PARTS_COUNT,
  type Part,
  type PartSetHeader,
} from './types.js';

/** NewPartSetFromData: splits bytes into parts of `partSize` with proofs. */
export function makeParts(
  data: Uint8Array,
  partSize = BLOCK_PART_SIZE_BYTES,
): { header: PartSetHeader; parts: Part[] } {
  if (!Number.isInteger(partSize) || partSize <= 0) throw new ValidationError('part size must be positive');
  const total = Math.ceil(data.length / partSize);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < total; i++)
    chunks.push(data.subarray(i * partSize, Math.min(data.length, (i + 1) * partSize)));
  const { rootHash, proofs } = proofsFromByteSlices(chunks);
  const parts = chunks.map((bytes, index) => ({ index, bytes, proof: proofs[index]! }));
  return { header: { total, hash: rootHash }, parts };
}

/** The protobuf bytes, part set and block ID of a block, all from one encoding. */
export function makeBlockParts(block: Block): {
  bytes: Uint8Array;
  header: PartSetHeader;
  parts: Part[];
  blockId: BlockId;
} {
  const bytes = encodeBlock(block);
  const { header, parts } = makeParts(bytes);
  return { bytes, header, parts, blockId: { hash: headerHash(block.header), partSetHeader: header } };
}

/** Block.MakePartSet + BlockID: the ID validators vote for. */
export function makeBlockId(block: Block): BlockId {
  return makeBlockParts(block).blockId;
}

/** PartSetHeader.ValidateBasic (plus CometBFT's part-count bound). Returns a reason or undefined. */
export function partSetHeaderProblem(h: PartSetHeader): string | undefined {
  if (!Number.isInteger(h.total) || h.total < 0) return 'negative or non-integer Total';
  if (h.total > MAX_BLOCK_PARTS_COUNT) return `Total ${h.total} exceeds ${MAX_BLOCK_PARTS_COUNT}`;
  if (h.hash.length !== 0 && h.hash.length !== HASH_SIZE) return `wrong Hash size ${h.hash.length}`;
  return undefined;
}

/** Part.ValidateBasic. Returns a reason or undefined. */
export function partProblem(p: Part): string | undefined {
  if (p.bytes.length > BLOCK_PART_SIZE_BYTES)
    return `too big: ${p.bytes.length} bytes, max ${BLOCK_PART_SIZE_BYTES}`;
  if (BigInt(p.index) !== p.proof.index) return `part index ${p.index} != proof index ${p.proof.index}`;
  const problem = proofProblem(p.proof);
  return problem === undefined ? undefined : `wrong Proof: ${problem}`;
}

/**
 * Collects the parts of one block, checking each against the PartSetHeader (types.PartSet).
 * `addPart` returns false for a duplicate and throws for a part that does not belong.
 */
export class PartSet {
  private readonly parts: (Part | undefined)[];
  private received = 0;
  private byteSize = 0;

  constructor(readonly header: PartSetHeader) {
    const problem = partSetHeaderProblem(header);
    if (problem !== undefined) throw new ValidationError(`invalid part set header: ${problem}`);
    this.parts = new Array<Part | undefined>(header.total).fill(undefined);
  }

  /** Starts a part set from a whole block's bytes (the proposer's side). */
  static fromData(data: Uint8Array, partSize = BLOCK_PART_SIZE_BYTES): PartSet {
    const { header, parts } = makeParts(data, partSize);
    const ps = new PartSet(header);
    for (const p of parts) ps.addPart(p);
    return ps;
  }

  get total(): number {
    return this.header.total;
  }

  get count(): number {
    return this.received;
  }

  get isComplete(): boolean {
    return this.received === this.header.total;
  }

  hasHeader(h: PartSetHeader): boolean {
    return this.header.total === h.total && bytesEqual(this.header.hash, h.hash);
  }

  getPart(index: number): Part | undefined {
    return this.parts[index];
  }

  /** Which parts are present, by index. */
  bitArray(): boolean[] {
    return this.parts.map((p) => p !== undefined);
  }

  addPart(part: Part): boolean {
    if (!Number.isInteger(part.index) || part.index < 0 || part.index >= this.header.total) {
      throw new ValidationError(`unexpected part index ${part.index} (total ${this.header.total})`);
    }
    if (this.parts[part.index] !== undefined) return false;
    const problem = partProblem(part);
    if (problem !== undefined) throw new ValidationError(`invalid part #${part.index}: ${problem}`);
    if (part.proof.total !== BigInt(this.header.total)) {
      throw new ValidationError(
        `invalid part #${part.index}: proof total ${part.proof.total} != ${this.header.total}`,
      );
    }
    try {
      verifyProof(part.proof, this.header.hash, part.bytes);
    } catch (e) {
      throw new ValidationError(`invalid part #${part.index}: ${(e as Error).message}`);
    }
    this.parts[part.index] = part;
    this.received++;
    this.byteSize += part.bytes.length;
    return true;
  }

  /** The reassembled bytes; throws if parts are missing. */
  assemble(): Uint8Array {
    if (!this.isComplete) {
      throw new ValidationError(`part set incomplete: ${this.received} of ${this.header.total} parts`);
    }
    const out = new Uint8Array(this.byteSize);
    let pos = 0;
    for (const p of this.parts) {
      out.set(p!.bytes, pos);
      pos += p!.bytes.length;
    }
    return out;
  }
}
