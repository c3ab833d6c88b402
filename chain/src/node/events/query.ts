/**
 * CometBFT's event query language (v0.38, `libs/pubsub/query` and its `syntax` package):
 *
 *   query      = condition { "AND" condition }
 *   condition  = tag ( ("=" | "<" | "<=" | ">" | ">=") operand | "CONTAINS" string | "EXISTS" )
 *   tag        = [_\p{L}\p{Nd}] [._\-\p{L}\p{Nd}]*        e.g. tm.event, message.sender
 *   operand    = 'single-quoted string' | 123 | 1.5 | DATE 2013-05-03 | TIME 2013-05-03T14:45:00Z
 *
 * Ordering operators take numbers, dates and times only; CONTAINS takes a string only; there
 * is no OR, no negation and no escape inside strings (a string ends at the next quote).
 *
 * Two matchers with different semantics live here:
 * - `matches(query, flattened)` — pubsub (websocket subscriptions). Events are flattened to
 *   `type.key -> values`; each condition must hold for at least one value of its tag,
 *   independently of the others. A number operand compares numerically against the value's
 *   leading decimal number, so `transfer.amount > 5` matches "8uhth" (CometBFT does this on
 *   purpose for coin amounts). A value with a leading sign never compares as a number.
 * - `matchesIndexed(query, events, reserved)` — the kv indexer (tx_search, block_search).
 *   See that function for the rules.
 */

/** Longest query text accepted, in UTF-8 bytes (CometBFT's `maxQueryLength`). */
export const MAX_QUERY_LENGTH = 512;

export type Operator = '=' | '<' | '<=' | '>' | '>=' | 'CONTAINS' | 'EXISTS';

/** A decimal as an integer scaled by 10^-scale. */
export interface Decimal {
  readonly digits: bigint;
  readonly scale: number;
}

export type Operand =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly text: string; readonly value: Decimal }
  | { readonly kind: 'time'; readonly text: string; readonly nanos: bigint }
  | { readonly kind: 'date'; readonly text: string; readonly nanos: bigint };

export interface Condition {
  readonly tag: string;
  readonly op: Operator;
  /** Absent for EXISTS only. */
  readonly operand?: Operand;
}

export interface Query {
  readonly conditions: readonly Condition[];
  /** Canonical text (`tag op operand` joined by ` AND `): two spellings of one query share it. */
  readonly text: string;
}

/** A malformed query; `message` is what the RPC shows the user. */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
}

/** The event shape both matchers read (ABCI `Event`, also satisfied by cosmjs-types' one). */
export interface EventLike {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string; readonly index?: boolean }[];
}

// ---------------------------------------------------------------------------------------------
// Scanner

type TokenKind =
  | 'tag'
  | 'string'
  | 'number'
  | 'time'
  | 'date'
  | 'AND'
  | 'CONTAINS'
  | 'EXISTS'
  | '='
  | '<'
  | '<='
  | '>'
  | '>=';

interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const TOKEN_LABEL: Record<TokenKind, string> = {
  tag: 'tag',
  string: 'string',
  number: 'number',
  time: 'timestamp',
  date: 'datestamp',
  AND: 'AND operator',
  CONTAINS: 'CONTAINS operator',
  EXISTS: 'EXISTS operator',
  '=': '= operator',
  '<': '< operator',
  '<=': '<= operator',
  '>': '> operator',
  '>=': '>= operator',
};

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
const isFirstTagChar = (c: string): boolean => c === '_' || LETTER_OR_DIGIT.test(c);
const isTagChar = (c: string): boolean => c === '.' || c === '-' || isFirstTagChar(c);
const isTimeChar = (c: string): boolean => isDigit(c) || '-T:+Z'.includes(c);
const isDateChar = (c: string): boolean => isDigit(c) || c === '-';

class Scanner {
  private pos = 0;
  private readonly chars: string[];

  constructor(text: string) {
    // Iterate by code point so offsets and tag characters agree with a rune-based scanner.
    this.chars = Array.from(text);
  }

  /** The next token, or undefined at the end of input. */
  next(): Token | undefined {
    const { chars } = this;
    while (this.pos < chars.length && /\s/u.test(chars[this.pos] as string)) this.pos++;
    if (this.pos >= chars.length) return undefined;
    const start = this.pos;
    const c = chars[start] as string;
    if (isDigit(c)) return this.scanNumber(start);
    if (isFirstTagChar(c)) return this.scanTagLike(start);
    if (c === "'") return this.scanString(start);
    if (c === '=' || c === '<' || c === '>') {
      this.pos++;
      if (c !== '=' && chars[this.pos] === '=') {
        this.pos++;
        return { kind: c === '<' ? '<=' : '>=', text: `${c}=`, pos: start };
      }
      return { kind: c, text: c, pos: start };
    }
    throw new QuerySyntaxError(`invalid input ${c} at offset ${start}`);
  }

  private takeWhile(ok: (c: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.chars.length && ok(this.chars[this.pos] as string)) this.pos++;
    return this.chars.slice(start, this.pos).join('');
  }

  private scanNumber(start: number): Token {
    let text = this.takeWhile(isDigit);
    if (this.chars[this.pos] === '.') {
      this.pos++;
      text += `.${this.takeWhile(isDigit)}`;
    }
    return { kind: 'number', text, pos: start };
  }

  private scanString(start: number): Token {
    this.pos++; // opening quote
    const text = this.takeWhile((c) => c !== "'");
    if (this.pos >= this.chars.length) {
      throw new QuerySyntaxError(`offset ${start}: unterminated string (strings are 'single-quoted')`);
    }
    this.pos++; // closing quote
    return { kind: 'string', text, pos: start };
  }

  private scanTagLike(start: number): Token {
    const text = this.takeWhile(isTagChar);
    const followedBySpace = this.chars[this.pos] === ' ';
    if ((text === 'TIME' || text === 'DATE') && followedBySpace) {
      this.pos++;
      const value = this.takeWhile(text === 'TIME' ? isTimeChar : isDateChar);
      if (text === 'TIME') {
        const nanos = parseRfc3339(value);
        if (nanos === undefined) {
          throw new QuerySyntaxError(
            `offset ${start}: invalid TIME value ${JSON.stringify(value)} (want RFC 3339, e.g. TIME 2013-05-03T14:45:00Z)`,
          );
        }
        checkYear(value, start, 'timestamp');
        return { kind: 'time', text: value, pos: start };
      }
      if (parseDate(value) === undefined) {
        throw new QuerySyntaxError(
          `offset ${start}: invalid DATE value ${JSON.stringify(value)} (want YYYY-MM-DD, e.g. DATE 2013-05-03)`,
        );
      }
      checkYear(value, start, 'datestamp');
      return { kind: 'date', text: value, pos: start };
    }
    if (text === 'AND' || text === 'EXISTS' || text === 'CONTAINS') return { kind: text, text, pos: start };
    return { kind: 'tag', text, pos: start };
  }
}

function checkYear(value: string, offset: number, what: string): void {
  const year = Number(value.slice(0, 4));
  if (year < 1900 || year > 2999)
    throw new QuerySyntaxError(`offset ${offset}: ${what} year ${year} out of range`);
}

// ---------------------------------------------------------------------------------------------
// Parser

function describe(kinds: readonly TokenKind[]): string {
  const labels = kinds.map((k) => TOKEN_LABEL[k]);
  if (labels.length === 1) return labels[0] as string;
  return `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

function require(scanner: Scanner, kinds: readonly TokenKind[], endOffset: number): Token {
  const tok = scanner.next();
  if (tok === undefined) {
    throw new QuerySyntaxError(`offset ${endOffset}: unexpected end of query, wanted ${describe(kinds)}`);
  }
  if (!kinds.includes(tok.kind)) {
    throw new QuerySyntaxError(`offset ${tok.pos}: got ${TOKEN_LABEL[tok.kind]}, wanted ${describe(kinds)}`);
  }
  return tok;
}

const OPERATORS: readonly TokenKind[] = ['<=', '>=', '<', '>', '=', 'CONTAINS', 'EXISTS'];

function toOperand(tok: Token): Operand {
  switch (tok.kind) {
    case 'string':
      return { kind: 'string', text: tok.text };
    case 'number':
      return { kind: 'number', text: tok.text, value: parseDecimalStrict(tok.text) as Decimal };
    case 'time':
      return { kind: 'time', text: tok.text, nanos: parseRfc3339(tok.text) as bigint };
    case 'date':
      return { kind: 'date', text: tok.text, nanos: parseDate(tok.text) as bigint };
    default:
      throw new QuerySyntaxError(`offset ${tok.pos}: got ${TOKEN_LABEL[tok.kind]}, wanted an operand`);
  }
}

/**
 * Parses a query. Throws `QuerySyntaxError` with an offset (in characters; CometBFT counts
 * bytes, which differs only after non-ASCII text) and what was expected for malformed input, and for text longer than `maxLength` UTF-8 bytes (default 512, as CometBFT).
 */
export function parseQuery(text: string, maxLength: number = MAX_QUERY_LENGTH): Query {
  if (typeof text !== 'string') throw new QuerySyntaxError('query must be a string');
  if (Buffer.byteLength(text, 'utf8') > maxLength)
    throw new QuerySyntaxError('maximum query length exceeded');
  const scanner = new Scanner(text);
  const end = Array.from(text).length;
  const conditions: Condition[] = [];
  for (;;) {
    const tag = require(scanner, ['tag'], end);
    const op = require(scanner, OPERATORS, end);
    if (op.kind === 'EXISTS') {
      conditions.push({ tag: tag.text, op: 'EXISTS' });
    } else {
      const wanted: readonly TokenKind[] =
        op.kind === 'CONTAINS'
          ? ['string']
          : op.kind === '='
            ? ['number', 'time', 'date', 'string']
            : ['number', 'time', 'date'];
      const arg = require(scanner, wanted, end);
      conditions.push({ tag: tag.text, op: op.kind as Operator, operand: toOperand(arg) });
    }
    const next = scanner.next();
    if (next === undefined) break;
    if (next.kind !== 'AND') {
      throw new QuerySyntaxError(`offset ${next.pos}: got ${TOKEN_LABEL[next.kind]}, want AND operator`);
    }
  }
  return { conditions, text: conditions.map(formatCondition).join(' AND ') };
}

export function formatOperand(operand: Operand): string {
  switch (operand.kind) {
    case 'string':
      return `'${operand.text}'`;
    case 'time':
      return `TIME ${operand.text}`;
    case 'date':
      return `DATE ${operand.text}`;
    case 'number':
      return operand.text;
  }
}

export function formatCondition(c: Condition): string {
  return c.operand === undefined ? `${c.tag} ${c.op}` : `${c.tag} ${c.op} ${formatOperand(c.operand)}`;
}

/** A query that matches one event type: `tm.event = '<type>'`. */
export function eventTypeQuery(eventType: string): Query {
  return parseQuery(`tm.event = '${eventType}'`);
}

// ---------------------------------------------------------------------------------------------
// Numbers and times

/** Parses `\d+(\.\d*)?` exactly. */
export function parseDecimalStrict(text: string): Decimal | undefined {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) return undefined;
  const frac = m[2] ?? '';
  return { digits: BigInt((m[1] as string) + frac), scale: frac.length };
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.digits * 10n ** BigInt(scale - a.scale);
  const y = b.digits * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The number pubsub reads from an attribute value: a plain non-negative integer, or else the
 * leading `\d+(\.\d+)?` of the value ("8uhth" -> 8, "6.5stake" -> 6.5). A signed value
 * ("-5", "+5") is not a number here, as in CometBFT.
 */
function leadingNumber(value: string): Decimal | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(value);
  if (m === null) return undefined;
  const frac = m[2] ?? '';
  return { digits: BigInt((m[1] as string) + frac), scale: frac.length };
}

/**
 * The number the kv indexer reads from an attribute value for a range condition: the whole
 * value must be a (possibly signed, possibly fractional or exponent) decimal number.
 */
export function parseIndexedNumber(value: string): Decimal | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/.exec(value);
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart === '' && frac === '') return undefined;
  let digits = BigInt(`${intPart}${frac}` || '0');
  let scale = frac.length - Number(m[4] ?? '0');
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (m[1] === '-') digits = -digits;
  return { digits, scale };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const max = mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo - 1] as number);
  return d <= max;
}

function daysFromCivil(y: number, m: number, d: number): bigint {
  // Howard Hinnant's days_from_civil; exact for the proleptic Gregorian calendar.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return BigInt(era * 146097 + doe - 719468);
}

const NANOS_PER_DAY = 86_400_000_000_000n;

/** `YYYY-MM-DD` (UTC midnight) as Unix nanoseconds, or undefined. */
export function parseDate(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validDate(y, mo, d)) return undefined;
  return daysFromCivil(y, mo, d) * NANOS_PER_DAY;
}

/** An RFC 3339 timestamp (optional fractional seconds, `Z` or `±hh:mm`) as Unix nanoseconds. */
export function parseRfc3339(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(
    text,
  );
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const frac = BigInt((m[7] ?? '').padEnd(9, '0'));
  const seconds = BigInt(h * 3600 + mi * 60 + s - offsetMinutes * 60);
  return daysFromCivil(y, mo, d) * NANOS_PER_DAY + seconds * 1_000_000_000n + frac;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function orderHolds(op: Operator, cmp: number): boolean {
  switch (op) {
    case '=':
      return cmp === 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Pubsub matching

/** Pubsub's test of one value against one condition. */
function pubsubValueMatches(c: Condition, value: string): boolean {
  if (c.op === 'EXISTS') return true;
  const operand = c.operand;
  if (operand === undefined) return false;
  if (c.op === 'CONTAINS') return operand.kind === 'string' && value.includes(operand.text);
  switch (operand.kind) {
    case 'string':
      return c.op === '=' && value === operand.text;
    case 'number': {
      const n = leadingNumber(value);
      return n !== undefined && orderHolds(c.op, compareDecimals(n, operand.value));
    }
    case 'time': {
      const t = parseRfc3339(value);
      return t !== undefined && orderHolds(c.op, compareBig(t, operand.nanos));
    }
    case 'date': {
      const t = parseDate(value);
      return t !== undefined && orderHolds(c.op, compareBig(t, operand.nanos));
    }
  }
}

/**
 * Pubsub matching (websocket subscriptions) against flattened events `type.key -> values`.
 * Every condition must match some value of its tag. Like CometBFT, a tag naming an event type
 * rather than an attribute (`transfer EXISTS` when `transfer.amount` is present) is tested
 * against the empty string, and an empty event set matches nothing.
 */
export function matches(query: Query, events: Readonly<Record<string, readonly string[]>>): boolean {
  const keys = Object.keys(events);
  if (keys.length === 0) return false;
  for (const c of query.conditions) {
    // A flattened key without a dot has an empty event type and can never be named by a tag.
    const values = c.tag.includes('.') && Object.hasOwn(events, c.tag) ? events[c.tag] : undefined;
    let ok = values?.some((v) => pubsubValueMatches(c, v)) === true;
    if (!ok && keys.some((k) => k.lastIndexOf('.') === c.tag.length && k.startsWith(c.tag))) {
      ok = pubsubValueMatches(c, '');
    }
    if (!ok) return false;
  }
  return true;
}

/**
 * Flattens ABCI events as CometBFT's event bus does: `type.key -> values` in event order,
 * skipping events with an empty type and attributes with an empty key. Every attribute is
 * included, whatever its `index` flag (that flag only matters to the kv indexer).
 */
export function flattenEvents(
  events: readonly EventLike[],
  into: Record<string, string[]> = {},
): Record<string, string[]> {
  for (const e of events) {
    if (e.type === '') continue;
    for (const a of e.attributes) {
      if (a.key === '') continue;
      const tag = `${e.type}.${a.key}`;
      const list = Object.hasOwn(into, tag) ? into[tag] : undefined;
      if (list === undefined) into[tag] = [a.value];
      else list.push(a.value);
    }
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// Indexer matching

/** The kv indexer's test of one stored value against one condition. */
export function indexedValueMatches(c: Condition, value: string): boolean {
  const operand = c.operand;
  switch (c.op) {
    case 'EXISTS':
      return true;
    case 'CONTAINS':
      return operand !== undefined && value.includes(operand.text);
    case '=':
      // The kv indexer looks `=` up by the operand's text: `account.number = 1` finds "1",
      // not "1.0"; `TIME 2013-05-03T14:45:00Z` finds exactly that string.
      return operand !== undefined && value === operand.text;
    default: {
      if (operand === undefined) return false;
      if (operand.kind === 'number') {
        const n = parseIndexedNumber(value);
        return n !== undefined && orderHolds(c.op, compareDecimals(n, operand.value));
      }
      if (operand.kind === 'time' || operand.kind === 'date') {
        const t = parseRfc3339(value) ?? parseDate(value);
        return t !== undefined && orderHolds(c.op, compareBig(t, operand.nanos));
      }
      return false;
    }
  }
}

/** The event type a tag refers to: everything before its last dot. */
export function tagEventType(tag: string): string {
  const dot = tag.lastIndexOf('.');
  return dot < 0 ? '' : tag.slice(0, dot);
}

function eventSatisfies(e: EventLike, conds: readonly Condition[]): boolean {
  if (e.type === '') return false;
  return conds.every((c) =>
    e.attributes.some(
      (a) =>
        a.index === true && a.key !== '' && `${e.type}.${a.key}` === c.tag && indexedValueMatches(c, a.value),
    ),
  );
}

/**
 * The kv indexer's semantics (tx_search, block_search), over the events of ONE tx or block:
 *
 * - Reserved tags (`tx.height`, `tx.hash` for txs; `block.height` for blocks) are tested
 *   against `reserved`. A number operand with `=` compares numerically (`tx.height = 5`);
 *   `tx.hash` compares case-insensitively as hex.
 * - Only attributes stored with `index: true` count; events with an empty type and attributes
 *   with an empty key are ignored.
 * - Conditions whose tags share an event type must all hold within ONE event instance:
 *   `transfer.sender = 'a' AND transfer.amount = '5'` does not match a tx with one transfer
 *   from `a` and another of 5. Conditions on different types may hold in different events.
 *
 * CometBFT v0.38's kv indexer intersects matches by (tx, event sequence number) over all
 * non-height conditions, which gives the same answers whenever all conditions name one type
 * (the common case: `message.action = ... AND message.sender = ...`), but never matches a query
 * combining two event types. We deliberately answer such queries instead of returning nothing.
 * Range conditions with TIME/DATE operands compare as times (CometBFT's kv indexer ignores
 * them); v0.34's `match.events` keyword does not exist in v0.38 and is an ordinary tag here.
 */
export function matchesIndexed(
  query: Query,
  events: readonly EventLike[],
  reserved: Readonly<Record<string, string>>,
): boolean {
  const groups = new Map<string, Condition[]>();
  for (const c of query.conditions) {
    if (Object.hasOwn(reserved, c.tag)) {
      if (!reservedMatches(c, reserved[c.tag] as string)) return false;
      continue;
    }
    const type = tagEventType(c.tag);
    const group = groups.get(type);
    if (group === undefined) groups.set(type, [c]);
    else group.push(c);
  }
  for (const conds of groups.values()) {
    if (!events.some((e) => eventSatisfies(e, conds))) return false;
  }
  return true;
}

function reservedMatches(c: Condition, value: string): boolean {
  const operand = c.operand;
  if (c.op === '=' && operand?.kind === 'number') {
    const n = parseIndexedNumber(value);
    return n !== undefined && compareDecimals(n, operand.value) === 0;
  }
  if (c.tag === 'tx.hash' && operand !== undefined) {
    const upper = value.toUpperCase();
    const arg = operand.text.toUpperCase();
    return c.op === 'CONTAINS'
      ? upper.includes(arg)
      : c.op === '='
        ? upper === arg
        : indexedValueMatches(c, value);
  }
  return indexedValueMatches(c, value);
}
