/**
 * A small TOML reader and writer, enough for CometBFT's config.toml: comments, `[table]` and
 * `[dotted.table]` headers, bare or quoted keys, basic and literal strings, integers, floats,
 * booleans and (multi-line) arrays of those. Inline tables, arrays of tables, dotted keys,
 * multi-line strings and dates are refused with a clear error naming the line; so are
 * duplicate keys and tables.
 */
export type TomlValue = string | number | boolean | TomlValue[];
/** Root keys under '', each `[table]` under its name. */
export type TomlDocument = Map<string, Map<string, TomlValue>>;

export class TomlError extends Error {
  override readonly name = 'TomlError';
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function parseToml(text: string): TomlDocument {
  const doc: TomlDocument = new Map([['', new Map()]]);
  let table = doc.get('')!;
  let i = 0;
  let line = 1;
  const fail = (m: string): never => {
    throw new TomlError(line, m);
  };
  const peek = () => text[i];
  const skipSpaces = () => {
    while (peek() === ' ' || peek() === '\t') i++;
  };
  const skipComment = () => {
    if (peek() === '#') while (i < text.length && peek() !== '\n') i++;
  };
  // Whitespace, newlines and comments (inside arrays).
  const skipAll = () => {
    for (;;) {
      skipSpaces();
      skipComment();
      if (peek() === '\r' && text[i + 1] === '\n') i++;
      if (peek() === '\n') {
        i++;
        line++;
        continue;
      }
      return;
    }
  };
  const endOfLine = () => {
    skipSpaces();
    skipComment();
    if (peek() === '\r') i++;
    if (i < text.length && peek() !== '\n') fail(`unexpected ${JSON.stringify(peek())} after value`);
  };
  const basicString = (): string => {
    if (text.startsWith('"""', i)) fail('multi-line strings are not supported');
    i++;
    let out = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined || c === '\n') fail('unterminated string');
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[i++];
      const simple: Record<string, string> = {
        b: '\b',
        t: '\t',
        n: '\n',
        f: '\f',
        r: '\r',
        '"': '"',
        '\\': '\\',
      };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const hex = text.slice(i, i + n);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail('bad unicode escape');
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail('invalid unicode code point');
        out += String.fromCodePoint(cp);
        i += n;
      } else fail(`invalid escape \\${e ?? ''}`);
    }
  };
  const literalString = (): string => {
    if (text.startsWith("'''", i)) fail('multi-line strings are not supported');
    const end = text.indexOf("'", i + 1);
    const nl = text.indexOf('\n', i + 1);
    if (end < 0 || (nl >= 0 && nl < end)) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const key = (): string => {
    const c = peek();
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    const start = i;
    while (i < text.length && BARE_KEY.test(text[i]!)) i++;
    if (i === start) fail(`expected a key, found ${JSON.stringify(c ?? 'end of file')}`);
    return text.slice(start, i);
  };
  const value = (): TomlValue => {
    const c = peek();
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    if (c === '[') {
      i++;
      const arr: TomlValue[] = [];
      for (;;) {
        skipAll();
        if (peek() === ']') {
          i++;
          return arr;
        }
        arr.push(value());
        skipAll();
        if (peek() === ',') i++;
        else if (peek() !== ']') fail('expected , or ] in array');
      }
    }
    if (c === '{') fail('inline tables are not supported');
    const start = i;
    while (i < text.length && !/[\s,\]#]/.test(text[i]!)) i++;
    const word = text.slice(start, i);
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (/^[+-]?(0|[1-9](_?[0-9])*)$/.test(word)) {
      const n = Number(word.replace(/_/g, ''));
      if (!Number.isSafeInteger(n)) fail(`integer ${word} is too large`);
      return n;
    }
    if (/^[+-]?(0|[1-9](_?[0-9])*)(\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?$/.test(word)) {
      return Number(word.replace(/_/g, ''));
    }
    if (/^\d{4}-\d{2}-\d{2}/.test(word)) fail('dates are not supported');
    return fail(word === '' ? 'missing value' : `invalid value ${JSON.stringify(word)}`);
  };

  while (i < text.length) {
    skipAll();
    if (i >= text.length) break;
    if (peek() === '[') {
      if (text[i + 1] === '[') fail('arrays of tables are not supported');
      i++;
      skipSpaces();
      const parts = [key()];
      skipSpaces();
      while (peek() === '.') {
        i++;
        skipSpaces();
        parts.push(key());
        skipSpaces();
      }
      if (peek() !== ']') fail('expected ] after table name');
      i++;
      endOfLine();
      const name = parts.join('.');
      if (doc.has(name)) fail(`table [${name}] defined twice`);
      table = new Map();
      doc.set(name, table);
      continue;
    }
    const k = key();
    skipSpaces();
    if (peek() === '.') fail('dotted keys are not supported');
    if (peek() !== '=') fail(`expected = after key ${JSON.stringify(k)}`);
    i++;
    skipSpaces();
    const v = value();
    if (table.has(k)) fail(`key ${JSON.stringify(k)} defined twice`);
    table.set(k, v);
    endOfLine();
  }
  return doc;
}

/** A TOML literal for a value (strings as basic strings with JSON-compatible escapes). */
export function formatTomlValue(v: TomlValue): string {
  if (typeof v === 'string') {
    const map: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
    let out = '';
    for (const c of v) {
      const code = c.codePointAt(0)!;
      out += map[c] ?? (code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : c);
    }
    return `"${out}"`;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError('TOML cannot hold NaN or Infinity here');
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `[${v.map(formatTomlValue).join(', ')}]`;
}
