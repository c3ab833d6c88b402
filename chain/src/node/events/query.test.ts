import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EventLike,
  flattenEvents,
  MAX_QUERY_LENGTH,
  matches,
  matchesIndexed,
  parseQuery,
  parseRfc3339,
  QuerySyntaxError,
} from './query.js';

// Validity cases transcribed from CometBFT v0.38 libs/pubsub/query/syntax/syntax_test.go
// (TestParseValid and TestScannerErrors).
const PARSE_CASES: [string, boolean][] = [
  ["tm.events.type='NewBlock'", true],
  ["tm.events.type = 'NewBlock'", true],
  ["tm.events.name = ''", true],
  ["tm.events.type='TIME'", true],
  ["tm.events.type='DATE'", true],
  ["tm.events.type='='", true],
  ["tm.events.type='TIME", false],
  ["tm.events.type=TIME'", false],
  ['tm.events.type==', false],
  ['tm.events.type=NewBlock', false],
  ['>==', false],
  ["tm.events.type 'NewBlock' =", false],
  ["tm.events.type>'NewBlock'", false],
  ['', false],
  ['=', false],
  ["='NewBlock'", false],
  ['tm.events.type=', false],
  ['tm.events.typeNewBlock', false],
  ["tm.events.type'NewBlock'", false],
  ["'NewBlock'", false],
  ['NewBlock', false],
  ["tm.events.type='NewBlock' AND abci.account.name='Igor'", true],
  ["tm.events.type='NewBlock' AND", false],
  ["tm.events.type='NewBlock' AN", false],
  ["tm.events.type='NewBlock' AN tm.events.type='NewBlockHeader'", false],
  ["AND tm.events.type='NewBlock' ", false],
  ["abci.account.name CONTAINS 'Igor'", true],
  ['tx.date > DATE 2013-05-03', true],
  ['tx.date < DATE 2013-05-03', true],
  ['tx.date <= DATE 2013-05-03', true],
  ['tx.date >= DATE 2013-05-03', true],
  ['tx.date >= DAT 2013-05-03', false],
  ['tx.date <= DATE2013-05-03', false],
  ['tx.date <= DATE -05-03', false],
  ['tx.date >= DATE 20130503', false],
  ['tx.date >= DATE 2013+01-03', false],
  ['tx.date >= DATE 0013-01-03', false],
  ['tx.date >= DATE 2013-31-03', false],
  ['tx.date >= DATE 2013-01-83', false],
  ['tx.date > TIME 2013-05-03T14:45:00+07:00', true],
  ['tx.date < TIME 2013-05-03T14:45:00-02:00', true],
  ['tx.date <= TIME 2013-05-03T14:45:00Z', true],
  ['tx.date >= TIME 2013-05-03T14:45:00Z', true],
  ['tx.date >= TIME2013-05-03T14:45:00Z', false],
  ['tx.date = IME 2013-05-03T14:45:00Z', false],
  ['tx.date = TIME 2013-05-:45:00Z', false],
  ['tx.date >= TIME 2013-05-03T14:45:00', false],
  ['tx.date >= TIME 0013-00-00T14:45:00Z', false],
  ['tx.date >= TIME 2013+05=03T14:45:00Z', false],
  ['account.balance=100', true],
  ['account.balance >= 200', true],
  ['account.balance >= -300', false],
  ['account.balance >>= 400', false],
  ['account.balance=33.22.1', false],
  ['slashing.amount EXISTS', true],
  ['slashing.amount EXISTS AND account.balance=100', true],
  ['account.balance=100 AND slashing.amount EXISTS', true],
  ['slashing EXISTS', true],
  ["hash='136E18F7E4C348B780CF873A0BF43922E5BAFA63'", true],
  ['hash=136E18F7E4C348B780CF873A0BF43922E5BAFA63', false],
  ['cosm-wasm.transfer_amount=100', true],
  // TestScannerErrors, as whole conditions.
  ["a.b = 'incomplete string", false],
  ['a.b = -23', false],
  ['a.b & 1', false],
  ['a.b = DATE xyz-pdq', false],
  ['a.b = DATE 0000-00-00', false],
  ['a.b = DATE 2021-01-99', false],
  ['a.b = TIME 2021-01-01T34:56:78Z', false],
  ['a.b = TIME 2021-01-99T14:56:08Z', false],
  ['a.b = TIME 2021-01-99T34:56:11+3', false],
  // Hearth additions.
  ['a.b CONTAINS 5', false],
  ['a.b < DATE 2020-02-29', true],
  ['a.b < DATE 2021-02-29', false],
  ['a.b EXISTS 5', false],
  ['a.b = 1.', true],
  ["a.b = 'x' OR c.d = 'y'", false],
  ["a.b = 'x' and c.d = 'y'", false],
  ["tm.event = 'Tx' AND message.sender = 'héllo wörld'", true],
  ['ünïcode.tag EXISTS', true],
];

/** Random sequences of the language's own tokens, which reach deeper than random characters. */
const tokenSoup = fc
  .array(
    fc.constantFrom(
      'a.b',
      'tm.event',
      "'x y'",
      "''",
      '=',
      '<',
      '<=',
      '>',
      '>=',
      'AND',
      'EXISTS',
      'CONTAINS',
      '5',
      '1.5',
      '7.',
      'DATE 2020-01-01',
      'TIME 2020-01-01T00:00:00Z',
      'TIME',
      'DATE',
      "'",
      '-',
      '.',
    ),
    { maxLength: 12 },
  )
  .map((tokens) => tokens.join(' '));

describe('parseQuery', () => {
  it.each(PARSE_CASES)('%j valid=%s', (text, valid) => {
    if (!valid) {
      expect(() => parseQuery(text)).toThrow(QuerySyntaxError);
      return;
    }
    const q = parseQuery(text);
    // Canonical text re-parses to itself (CometBFT's round-trip check).
    expect(parseQuery(q.text).text).toBe(q.text);
  });

  it('builds conditions with typed operands', () => {
    const q = parseQuery(
      "tm.event='Tx' AND tx.height>=5 AND a.t < TIME 2013-05-03T14:45:00+07:00 AND a.d = DATE 2013-05-03 AND b.c EXISTS AND m.s CONTAINS 'x y'",
    );
    expect(q.text).toBe(
      "tm.event = 'Tx' AND tx.height >= 5 AND a.t < TIME 2013-05-03T14:45:00+07:00 AND a.d = DATE 2013-05-03 AND b.c EXISTS AND m.s CONTAINS 'x y'",
    );
    expect(q.conditions.map((c) => [c.tag, c.op, c.operand?.kind])).toEqual([
      ['tm.event', '=', 'string'],
      ['tx.height', '>=', 'number'],
      ['a.t', '<', 'time'],
      ['a.d', '=', 'date'],
      ['b.c', 'EXISTS', undefined],
      ['m.s', 'CONTAINS', 'string'],
    ]);
    const t = q.conditions[2]?.operand;
    expect(t?.kind === 'time' && t.nanos).toBe(BigInt(Date.UTC(2013, 4, 3, 7, 45)) * 1_000_000n);
  });

  it('explains what went wrong and where', () => {
    expect(() => parseQuery("tm.event='Tx' AN x.y=1")).toThrow('offset 14: got tag, want AND operator');
    expect(() => parseQuery('tm.event>')).toThrow(
      'offset 9: unexpected end of query, wanted number, timestamp or datestamp',
    );
    expect(() => parseQuery("a.b > 'x'")).toThrow(
      'offset 6: got string, wanted number, timestamp or datestamp',
    );
    expect(() => parseQuery('a.b = 1 & 2')).toThrow('invalid input & at offset 8');
    expect(() => parseQuery('')).toThrow('offset 0: unexpected end of query, wanted tag');
    expect(() => parseQuery("a.b = 'open")).toThrow('unterminated string');
    expect(() => parseQuery('a.b > DATE 1800-01-01')).toThrow('datestamp year 1800 out of range');
  });

  it('bounds the query length in bytes', () => {
    const ok = `a.b = '${'x'.repeat(MAX_QUERY_LENGTH - 8)}'`;
    expect(Buffer.byteLength(ok)).toBe(MAX_QUERY_LENGTH);
    expect(parseQuery(ok).conditions).toHaveLength(1);
    expect(() => parseQuery(`a.b = '${'x'.repeat(MAX_QUERY_LENGTH - 7)}'`)).toThrow(
      'maximum query length exceeded',
    );
    expect(() => parseQuery(`a.b = '${'é'.repeat(260)}'`)).toThrow('maximum query length exceeded');
  });

  it('never throws anything but QuerySyntaxError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), tokenSoup), (text) => {
        try {
          const q = parseQuery(text);
          expect(parseQuery(q.text).text).toBe(q.text);
        } catch (e) {
          expect(e).toBeInstanceOf(QuerySyntaxError);
        }
      }),
      { numRuns: process.env.HEARTH_LONG ? 100000 : 2000 },
    );
  });

  it('parses RFC 3339 times with offsets and fractions', () => {
    expect(parseRfc3339('1970-01-01T00:00:00Z')).toBe(0n);
    expect(parseRfc3339('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(parseRfc3339('2024-02-29T23:59:59.123456789Z')).toBe(
      BigInt(Date.UTC(2024, 1, 29, 23, 59, 59)) * 1_000_000n + 123_456_789n,
    );
    expect(parseRfc3339('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2023-01-01 00:00:00Z')).toBeUndefined();
  });
});

/** `type|k=v|k=v` templates, as in CometBFT's query_test.go `newTestEvents`. */
function ev(...templates: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of templates) {
    const [type, ...kvs] = t.split('|');
    for (const kv of kvs) {
      const i = kv.indexOf('=');
      const key = `${type}.${kv.slice(0, i)}`;
      out[key] = [...(out[key] ?? []), kv.slice(i + 1)];
    }
  }
  return out;
}

// Transcribed from CometBFT v0.38 libs/pubsub/query/query_test.go (TestCompiledMatches,
// TestBigNumbers); time-dependent inputs replaced by fixed dates.
const API_EVENTS: Record<string, string[]> = {
  'tm.event': ['Tx'],
  'tm.hash': ['XYZ'],
  'tm.height': ['5'],
  'rewards.withdraw.address': ['AddrA', 'AddrB'],
  'rewards.withdraw.source': ['SrcX', 'SrcY'],
  'rewards.withdraw.amount': ['100', '45'],
  'rewards.withdraw.balance': ['1500', '999'],
  'transfer.sender': ['AddrC'],
  'transfer.recipient': ['AddrD'],
  'transfer.amount': ['160'],
};
const BIG = ev(
  'big|value=99999999999999999999|floatvalue=99999999999999999999.10',
  'big2|value=18446744073709551615|floatvalue=18446744073709551615.6',
);
const MATCH_CASES: [string, Record<string, string[]>, boolean][] = [
  ["tm.events.type='NewBlock'", ev('tm|events.type=NewBlock'), true],
  ['tx.gas > 7', ev('tx|gas=8'), true],
  ['transfer.amount > 7', ev('transfer|amount=8stake'), true],
  ['transfer.amount > 7', ev('transfer|amount=8.045'), true],
  ['transfer.amount > 7.043', ev('transfer|amount=8.045stake'), true],
  ['transfer.amount > 8.045', ev('transfer|amount=8.045stake'), false],
  ['tx.gas > 7 AND tx.gas < 9', ev('tx|gas=8'), true],
  ['body.weight >= 3.5', ev('body|weight=3.5'), true],
  ['account.balance < 1000.0', ev('account|balance=900'), true],
  ['apples.kg <= 4', ev('apples|kg=4.0'), true],
  ['body.weight >= 4.5', ev('body|weight=4.5'), true],
  ['oranges.kg < 4 AND watermellons.kg > 10', ev('oranges|kg=3', 'watermellons|kg=12'), true],
  ['peaches.kg < 4', ev('peaches|kg=5'), false],
  ['tx.date > DATE 2017-01-01', ev('tx|date=2024-06-01'), true],
  ['tx.date = DATE 2017-01-01', ev('tx|date=2017-01-01'), true],
  ['tx.date = DATE 2018-01-01', ev('tx|date=2017-01-01'), false],
  ['tx.time >= TIME 2013-05-03T14:45:00Z', ev('tx|time=2024-06-01T10:00:00+02:00'), true],
  ['tx.time = TIME 2013-05-03T14:45:00Z', ev('tx|time=2018-05-03T14:45:00Z'), false],
  ["abci.owner.name CONTAINS 'Igor'", ev('abci|owner.name=Igor|owner.name=Ivan'), true],
  ["abci.owner.name CONTAINS 'Igor'", ev('abci|owner.name=Pavel|owner.name=Ivan'), false],
  ["abci.owner.name = 'Igor'", ev('abci|owner.name=Igor|owner.name=Ivan'), true],
  ["abci.owner.name = 'Ivan'", ev('abci|owner.name=Igor|owner.name=Ivan'), true],
  ["abci.owner.name = 'Ivan' AND abci.owner.name = 'Igor'", ev('abci|owner.name=Igor|owner.name=Ivan'), true],
  [
    "abci.owner.name = 'Ivan' AND abci.owner.name = 'John'",
    ev('abci|owner.name=Igor|owner.name=Ivan'),
    false,
  ],
  ["tm.events.type='NewBlock'", ev('tm|events.type=NewBlock', 'app|name=fuzzed'), true],
  ["app.name = 'fuzzed'", ev('tm|events.type=NewBlock', 'app|name=fuzzed'), true],
  [
    "tm.events.type='NewBlock' AND app.name = 'fuzzed'",
    ev('tm|events.type=NewBlock', 'app|name=fuzzed'),
    true,
  ],
  [
    "tm.events.type='NewHeader' AND app.name = 'fuzzed'",
    ev('tm|events.type=NewBlock', 'app|name=fuzzed'),
    false,
  ],
  ['slash EXISTS', ev('slash|reason=missing_signature|power=6000'), true],
  ['slash EXISTS', ev('transfer|recipient=cosmos1gu6y|sender=cosmos1crje'), false],
  ['slash.reason EXISTS AND slash.power > 1000', ev('slash|reason=missing_signature|power=6000'), true],
  ['slash.reason EXISTS AND slash.power > 1000', ev('slash|reason=missing_signature|power=500'), false],
  ['slash.reason EXISTS', ev('transfer|recipient=cosmos1gu6y|sender=cosmos1crje'), false],
  ["tm.event = 'Tx' AND rewards.withdraw.address = 'AddrA'", API_EVENTS, true],
  [
    "tm.event = 'Tx' AND rewards.withdraw.address = 'AddrA' AND rewards.withdraw.source = 'SrcY'",
    API_EVENTS,
    true,
  ],
  ["tm.event = 'Tx' AND transfer.sender = 'AddrA'", API_EVENTS, false],
  ["tm.event = 'Tx' AND transfer.sender = 'AddrC'", API_EVENTS, true],
  ["tm.event = 'Tx' AND transfer.sender = 'AddrZ'", API_EVENTS, false],
  ["tm.event = 'Tx' AND rewards.withdraw.address = 'AddrZ'", API_EVENTS, false],
  ["tm.event = 'Tx' AND rewards.withdraw.source = 'W'", API_EVENTS, false],
  ['big.value >= 99999999999999999999', BIG, true],
  ['big.value > 99999999999999999998', BIG, true],
  ['big2.value <= 18446744073709551615', BIG, true],
  ['big.floatvalue >= 99999999999999999999', BIG, true],
  ['big.floatvalue > 99999999999999999998.10', BIG, true],
  ['big2.floatvalue <= 18446744073709551615.6', BIG, true],
  ['big2.floatvalue >= 18446744073709551615', BIG, true],
  ['big2.floatvalue >= 12.5', BIG, true],
  ['big.value >= 10', BIG, true],
  // Hearth additions: signed values never compare as numbers; a prefix of a tag is not the tag.
  ['a.n < 0', ev('a|n=-5'), false],
  ['a.n > 4', ev('a|n=+5'), false],
  ["a.n = '-5'", ev('a|n=-5'), true],
  ["slash.rea = 'x'", ev('slash|reason=x'), false],
  ["tm.event = 'Tx'", {}, false],
];

describe('matches (pubsub semantics)', () => {
  it.each(MATCH_CASES)('%s', (text, events, want) => {
    expect(matches(parseQuery(text), events)).toBe(want);
  });

  it('does not require conditions to hold in one event instance', () => {
    const flat = flattenEvents([
      { type: 'transfer', attributes: [{ key: 'sender', value: 'a' }] },
      { type: 'transfer', attributes: [{ key: 'amount', value: '5' }] },
    ]);
    expect(flat).toEqual({ 'transfer.sender': ['a'], 'transfer.amount': ['5'] });
    expect(matches(parseQuery("transfer.sender = 'a' AND transfer.amount = 5"), flat)).toBe(true);
  });

  it('flattens like the event bus: skips empty types and keys, keeps unindexed attributes', () => {
    expect(
      flattenEvents([
        { type: '', attributes: [{ key: 'k', value: 'v' }] },
        {
          type: 't',
          attributes: [
            { key: '', value: 'v' },
            { key: 'k', value: '1', index: false },
          ],
        },
        { type: 't', attributes: [{ key: 'k', value: '2', index: true }] },
      ]),
    ).toEqual({ 't.k': ['1', '2'] });
  });
});

describe('matchesIndexed (kv indexer semantics)', () => {
  const a = (key: string, value: string, index = true) => ({ key, value, index });
  const events: EventLike[] = [
    { type: 'account', attributes: [a('number', '1')] },
    { type: 'account', attributes: [a('owner', '/Ivan/')] },
    { type: 'transfer', attributes: [a('sender', 'alice'), a('amount', '5'), a('memo', 'x', false)] },
    { type: 'transfer', attributes: [a('sender', 'bob'), a('amount', '7')] },
    {
      type: 'message',
      attributes: [a('action', 'send'), a('weight', '2.5e1'), a('at', '2024-01-02T00:00:00Z')],
    },
    { type: '', attributes: [a('not_allowed', 'Vlad')] },
  ];
  const reserved = { 'tx.height': '12', 'tx.hash': 'ABCDEF' };
  const cases: [string, boolean][] = [
    // From CometBFT v0.38 state/txindex/kv/kv_test.go TestTxSearch (same event layout).
    ['account.number = 1', true],
    ["account.number = 1 AND account.owner = 'Ivan'", false],
    ["account.owner = '/Ivan/'", true],
    ["account.number = 1 AND account.owner = '/Ivan/'", false],
    ["account.owner = 'Iv'", false],
    ['account.number >= 1 AND account.number <= 5', true],
    ['account.number <= 0', false],
    ["not_allowed = 'Vlad'", false],
    ["account.owner CONTAINS 'Iv'", true],
    ['account.owner EXISTS', true],
    // Same-instance rule within one type; different types may match different events.
    ["transfer.sender = 'alice' AND transfer.amount = '5'", true],
    ["transfer.sender = 'alice' AND transfer.amount = '7'", false],
    ["transfer.sender = 'bob' AND transfer.amount > 6", true],
    ["transfer.sender = 'alice' AND message.action = 'send'", true],
    ["transfer.sender = 'alice' AND message.action = 'recv'", false],
    // Only indexed attributes count.
    ["transfer.memo = 'x'", false],
    ['transfer.memo EXISTS', false],
    // `=` is textual; ranges parse the whole value.
    ['account.number = 1.0', false],
    ['message.weight > 24', true],
    ['message.weight = 25', false],
    ['message.at > DATE 2024-01-01', true],
    ['message.at < TIME 2024-01-01T23:59:59Z', false],
    // Reserved tags.
    ['tx.height = 12', true],
    ['tx.height = 12.0', true],
    ['tx.height > 11 AND tx.height < 13 AND account.number = 1', true],
    ['tx.height >= 13', false],
    ["tx.hash = 'abcdef'", true],
    ["tx.hash = 'abcde0'", false],
    ["tm.event = 'Tx'", false],
  ];
  it.each(cases)('%s', (text, want) => {
    expect(matchesIndexed(parseQuery(text), events, reserved)).toBe(want);
  });

  it('agrees with pubsub when every attribute is indexed and every condition names one event', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'), fc.nat(9)), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom('a', 'b'),
        fc.constantFrom('x', 'y'),
        fc.constantFrom('=', '<', '>='),
        fc.nat(9),
        (attrs, type, key, op, n) => {
          const evs: EventLike[] = attrs.map(([t, k, v]) => ({
            type: t,
            attributes: [{ key: k, value: String(v), index: true }],
          }));
          const q = parseQuery(`${type}.${key} ${op} ${n}`);
          expect(matchesIndexed(q, evs, {})).toBe(matches(q, flattenEvents(evs)));
        },
      ),
    );
  });
});
