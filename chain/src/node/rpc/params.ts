/**
 * Route parameters, decoded the way CometBFT v0.38's JSON-RPC server does
 * (`rpc/jsonrpc/server/http_json_handler.go` jsonParamsToArgs, `http_uri_handler.go`
 * httpParamsToArgs):
 *
 * - JSON-RPC `params` is an object (by name; unknown names ignored) or an array (by position);
 *   anything else is rejected. int64 values are decimal strings (numbers are accepted too),
 *   `[]byte` values base64, `HexBytes` values hex, bools JSON booleans; null means absent.
 * - URI GET `?name=value`: an unquoted decimal is an integer, `0x…` is hex bytes (or a string
 *   decoded from hex), a quoted `"…"` is a string (or, for bytes, the string's raw bytes);
 *   anything else must be JSON of the right type. An empty value means absent.
 */

export type ParamType = 'int' | 'string' | 'bytes' | 'hexbytes' | 'bool';

export interface ParamSpec {
  name: string;
  type: ParamType;
}

export type ParamValue = bigint | string | Uint8Array | boolean;
export type Params = Record<string, ParamValue | undefined>;

/** A parameter that does not decode; the message names the parameter and the problem. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

const INT_RE = /^-?[0-9]+$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function parseInt64(name: string, text: string): bigint {
  if (!INT_RE.test(text)) throw new ParamError(`${name}: invalid integer ${describe(text)}`);
  const v = BigInt(text);
  if (v < INT64_MIN || v > INT64_MAX) throw new ParamError(`${name}: integer ${text} out of int64 range`);
  return v;
}

function parseHex(name: string, text: string): Uint8Array {
  if (!HEX_RE.test(text)) throw new ParamError(`${name}: invalid hex ${describe(text)}`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** One JSON value into a parameter of `type`; undefined for null/absent. */
export function jsonToParam(spec: ParamSpec, v: unknown): ParamValue | undefined {
  if (v === null || v === undefined) return undefined;
  const { name, type } = spec;
  switch (type) {
    case 'int':
      if (typeof v === 'string') return parseInt64(name, v);
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      throw new ParamError(`${name}: expected an integer (decimal string), got ${describe(v)}`);
    case 'string':
      if (typeof v === 'string') return v;
      throw new ParamError(`${name}: expected a string, got ${describe(v)}`);
    case 'bool':
      if (typeof v === 'boolean') return v;
      throw new ParamError(`${name}: expected a boolean, got ${describe(v)}`);
    case 'bytes':
      if (typeof v === 'string' && BASE64_RE.test(v)) return new Uint8Array(Buffer.from(v, 'base64'));
      throw new ParamError(`${name}: expected base64 bytes, got ${describe(v)}`);
    case 'hexbytes':
      if (typeof v === 'string') return parseHex(name, v);
      throw new ParamError(`${name}: expected hex bytes, got ${describe(v)}`);
  }
}

/** JSON-RPC `params` (object, array, or absent) into named parameters. */
export function jsonParamsToArgs(specs: readonly ParamSpec[], raw: unknown): Params {
  const out: Params = {};
  if (raw === undefined || raw === null) return out;
  if (Array.isArray(raw)) {
    if (raw.length > specs.length) {
      throw new ParamError(`expected at most ${specs.length} parameters, got ${raw.length}`);
    }
    raw.forEach((v, i) => {
      const spec = specs[i]!;
      out[spec.name] = jsonToParam(spec, v);
    });
    return out;
  }
  if (typeof raw === 'object') {
    const obj = raw as Record<string, unknown>;
    for (const spec of specs) {
      if (Object.hasOwn(obj, spec.name)) out[spec.name] = jsonToParam(spec, obj[spec.name]);
    }
    return out;
  }
  throw new ParamError(`unknown type for JSON params: ${describe(raw)}. Expected map or array`);
}

/** One URI query value (already percent-decoded) into a parameter; undefined when empty. */
export function uriToParam(spec: ParamSpec, raw: string): ParamValue | undefined {
  const arg = raw.trim();
  if (arg === '') return undefined;
  const { name, type } = spec;
  const quoted = arg.length >= 2 && arg.startsWith('"') && arg.endsWith('"');
  const hex = arg.toLowerCase().startsWith('0x');
  if (type === 'int' && INT_RE.test(arg)) return parseInt64(name, arg);
  if (hex) {
    if (type !== 'string' && type !== 'bytes' && type !== 'hexbytes') {
      throw new ParamError(`${name}: got a hex string arg, but expected '${type}'`);
    }
    const bytes = parseHex(name, arg.slice(2));
    return type === 'string' ? Buffer.from(bytes).toString('utf8') : bytes;
  }
  let json: unknown;
  try {
    json = JSON.parse(arg);
  } catch {
    throw new ParamError(
      `${name}: invalid value ${describe(arg)} (strings must be quoted, bytes 0x-hex or quoted)`,
    );
  }
  if (quoted && (type === 'bytes' || type === 'hexbytes') && typeof json === 'string') {
    return new Uint8Array(Buffer.from(json, 'utf8'));
  }
  return jsonToParam(spec, json);
}

/** A URI query string into named parameters (only the route's names are read). */
export function uriParamsToArgs(specs: readonly ParamSpec[], search: URLSearchParams): Params {
  const out: Params = {};
  for (const spec of specs) {
    const v = search.get(spec.name);
    if (v !== null) out[spec.name] = uriToParam(spec, v);
  }
  return out;
}
