/**
 * JSON text output for RPC responses. Like JSON.stringify, plus two things the RPC needs:
 * `RawJson` embeds already-serialised JSON verbatim (the genesis document is served exactly as
 * stored, so big numbers in `app_state` keep every digit), and a stray bigint prints as a
 * decimal string (CometBFT's int64 convention) instead of throwing.
 */

/** JSON text to splice into a response as is. The text must be valid JSON. */
export class RawJson {
  constructor(readonly text: string) {}
}

export function stringifyJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(v: unknown, out: string[]): void {
  if (v === null || v === undefined) {
    out.push('null');
    return;
  }
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'number':
      out.push(Number.isFinite(v) ? String(v) : 'null');
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(`"${v.toString()}"`);
      return;
    case 'object':
      break;
    default:
      out.push('null');
      return;
  }
  if (v instanceof RawJson) {
    out.push(v.text);
    return;
  }
  if (v instanceof Uint8Array) {
    out.push(JSON.stringify(Buffer.from(v).toString('base64')));
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, out);
    });
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
    if (item === undefined || typeof item === 'function') continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(k), ':');
    write(item, out);
  }
  out.push('}');
}
