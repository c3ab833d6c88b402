/**
 * JSON text output for RPC responses. Like JSON.stringify, plus two things the RPC needs:
 * `RawJson` embeds already-serialised JSON verbatim (the genesis document is served exactly as
 * stored, so big numbers in `app_state` keep every digit), and a stray bigint prints as a
 * decimal string (CometBFT's int64 convention) instead of throwing.
 */

import { randomBytes } from 'node:crypto';

/** JSON text to splice into a response as is. The text must be valid JSON. */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * JSON text of `value`: V8's own JSON.stringify (several times faster than a writer in script
 * for large results such as `block` and `block_results`), with a replacer for what it cannot
 * print. Raw JSON goes in as a placeholder string carrying a per-call random tag, replaced by
 * the raw text afterwards, so no string in the data can pass for one.
 */
export function stringifyJson(value: unknown): string {
  const raws: string[] = [];
  let tag = '';
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // `this[key]` is the value before any toJSON (Buffer has one, which would print an object).
    const original = this[key];
    if (typeof original === 'bigint') return original.toString();
    if (original instanceof Uint8Array)
      return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
    if (original instanceof RawJson) {
      if (tag === '') tag = `raw-json-${randomBytes(16).toString('hex')}-`;
      raws.push(original.text);
      return `${tag}${raws.length - 1}`;
    }
    return v;
  });
  if (text === undefined) return 'null';
  if (raws.length === 0) return text;
  return text.replace(new RegExp(`"${tag}(\\d+)"`, 'g'), (_, i: string) => raws[Number(i)] as string);
}
