/**
 * Key layout shared by the tx and block indexers, and the choice of which index range to scan
 * for a query. Heights are 8-byte big-endian and tx indexes 4-byte big-endian, so keys sort
 * by (height, index) and height ranges are contiguous key ranges.
 *
 *   event key:   space | u16 len(tag) | tag | value | height(8) [| index(4)]
 *   primary key: space | height(8) [| index(4)]
 *
 * The value's length is implied by the fixed-width suffix, so values may contain any byte and
 * `tag = value` is one prefix scan plus an exact-length check.
 */
import { utf8Length } from '../../codec/exactWriter.js';
import type { StoreDb } from '../../store/db.js';
import type { Condition, Query } from '../events/query.js';
import { indexedValueMatches } from '../events/query.js';

const UTF8 = new TextEncoder();
const UTF8_DECODER = new TextDecoder();
export const MAX_HEIGHT = (1n << 63n) - 1n;

export function u64be(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function readU64be(b: Uint8Array, offset: number): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset);
}

export function readU32be(b: Uint8Array, offset: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(offset);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The smallest key greater than every key starting with `prefix`. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: no finite bound; a longer key of 0xff bytes is past anything we store.
  return concat(prefix, new Uint8Array(1).fill(0xff));
}

/** `space | u16 len(tag) | tag [| value]`. */
export function eventKeyPrefix(space: number, tag: string, value?: string): Uint8Array {
  const t = UTF8.encode(tag);
  if (t.length > 0xffff) throw new RangeError('event tag longer than 65535 bytes');
  const head = new Uint8Array(3);
  head[0] = space;
  head[1] = t.length >> 8;
  head[2] = t.length & 0xff;
  return value === undefined ? concat(head, t) : concat(head, t, UTF8.encode(value));
}

/** `space | u16 len(tag) | tag` by space, then tag: a block repeats the same few tags thousands of times. */
const tagHeads: (Map<string, Uint8Array> | undefined)[] = [];

/**
 * A whole event key, `eventKeyPrefix(space, tag, value) | suffix`, in one allocation (the tx
 * indexer writes one per indexed attribute, about thirty per bank send) — or in `scratch` when
 * it fits, returned as a view of it that the next call overwrites.
 */
export function eventKey(
  space: number,
  tag: string,
  value: string,
  suffix: Uint8Array,
  scratch?: Uint8Array,
): Uint8Array {
  let heads = tagHeads[space];
  if (heads === undefined) {
    heads = new Map();
    tagHeads[space] = heads;
  }
  let head = heads.get(tag);
  if (head === undefined) {
    head = eventKeyPrefix(space, tag);
    if (heads.size >= 10_000) heads.clear();
    heads.set(tag, head);
  }
  const valueLength = utf8Length(value);
  const size = head.length + valueLength + suffix.length;
  const out =
    scratch !== undefined && size <= scratch.length ? scratch.subarray(0, size) : new Uint8Array(size);
  out.set(head, 0);
  const at = head.length;
  if (valueLength === value.length) for (let i = 0; i < valueLength; i++) out[at + i] = value.charCodeAt(i);
  else UTF8.encodeInto(value, out.subarray(at, at + valueLength));
  out.set(suffix, at + valueLength);
  return out;
}

/** The value bytes of an event key, given the length of its prefix up to the value and of its suffix. */
export function eventKeyValue(key: Uint8Array, tagPrefixLength: number, suffixLength: number): string {
  return UTF8_DECODER.decode(key.subarray(tagPrefixLength, key.length - suffixLength));
}

/** Inclusive height bounds implied by the height conditions of a query. */
export interface HeightBounds {
  lo: bigint;
  hi: bigint;
}

/**
 * Bounds on the reserved height tag from `=`, `<`, `<=`, `>`, `>=` number conditions; other
 * conditions on it are left to the final match. An empty range gives lo > hi.
 */
export function heightBounds(conds: readonly Condition[], heightTag: string): HeightBounds {
  let lo = 0n;
  let hi = MAX_HEIGHT;
  for (const c of conds) {
    if (c.tag !== heightTag || c.operand?.kind !== 'number') continue;
    const { digits, scale } = c.operand.value;
    const p = 10n ** BigInt(scale);
    const floor = digits / p;
    const exact = digits % p === 0n;
    switch (c.op) {
      case '=':
        if (!exact) return { lo: 1n, hi: 0n };
        lo = lo > floor ? lo : floor;
        hi = hi < floor ? hi : floor;
        break;
      case '>':
        lo = lo > floor + 1n ? lo : floor + 1n;
        break;
      case '>=': {
        const b = exact ? floor : floor + 1n;
        lo = lo > b ? lo : b;
        break;
      }
      case '<': {
        const b = exact ? floor - 1n : floor;
        hi = hi < b ? hi : b;
        break;
      }
      case '<=':
        hi = hi < floor ? hi : floor;
        break;
      default:
        break;
    }
  }
  return { lo, hi };
}

/** How to find candidates for a query: the key range to scan and a filter on each key. */
export interface ScanPlan {
  gte: Uint8Array;
  lt: Uint8Array;
  /** Event keys: the condition whose tag the range covers, to prune keys by value. */
  condition?: Condition;
  /** Length of `space | len | tag`, to cut the value out of an event key. */
  tagPrefixLength?: number;
}

/**
 * Picks the narrowest index range for `query`: an attribute `=` first (one value's keys), then
 * the height range, then any other attribute condition (all keys of its tag).
 */
export function planScan(
  query: Query,
  reserved: readonly string[],
  heightTag: string,
  eventSpace: number,
  primarySpace: number,
  bounds: HeightBounds,
): ScanPlan {
  const attrConds = query.conditions.filter((c) => !reserved.includes(c.tag));
  const eq = attrConds.find((c) => c.op === '=');
  const hasHeightBound = query.conditions.some(
    (c) => c.tag === heightTag && c.operand?.kind === 'number' && c.op !== 'CONTAINS',
  );
  if (eq?.operand !== undefined && !(hasHeightBound && bounds.lo === bounds.hi)) {
    const prefix = eventKeyPrefix(eventSpace, eq.tag, eq.operand.text);
    return {
      gte: prefix,
      lt: prefixEnd(prefix),
      condition: eq,
      tagPrefixLength: eventKeyPrefix(eventSpace, eq.tag).length,
    };
  }
  const other = attrConds[0];
  if (other !== undefined && !hasHeightBound) {
    const prefix = eventKeyPrefix(eventSpace, other.tag);
    return { gte: prefix, lt: prefixEnd(prefix), condition: other, tagPrefixLength: prefix.length };
  }
  const space = Uint8Array.of(primarySpace);
  const lo = bounds.lo < 0n ? 0n : bounds.lo;
  const hi = bounds.hi > MAX_HEIGHT ? MAX_HEIGHT : bounds.hi;
  return { gte: concat(space, u64be(lo)), lt: concat(space, u64be(hi < lo ? lo : hi + 1n)) };
}

/** Whether an event key can belong to the answer, judged from its value and height alone. */
export function eventKeyMayMatch(
  key: Uint8Array,
  plan: ScanPlan,
  suffixLength: number,
  bounds: HeightBounds,
): boolean {
  if (plan.condition === undefined || plan.tagPrefixLength === undefined) return true;
  if (key.length < plan.tagPrefixLength + suffixLength) return false;
  const height = readU64be(key, key.length - suffixLength);
  if (height < bounds.lo || height > bounds.hi) return false;
  const value = eventKeyValue(key, plan.tagPrefixLength, suffixLength);
  return indexedValueMatches(plan.condition, value);
}

export async function* scanKeys(db: StoreDb, plan: ScanPlan): AsyncIterable<[Uint8Array, Uint8Array]> {
  if (compareKeys(plan.gte, plan.lt) >= 0) return;
  yield* db.entries(plan.gte, plan.lt);
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
