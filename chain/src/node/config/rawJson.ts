/**
 * Finds the exact source text of each member of a top-level JSON object. Genesis app_state is
 * handed to the application byte for byte (CometBFT keeps it as json.RawMessage); re-serializing
 * a parsed object would reorder integer-like keys and round numbers above 2^53.
 * The input must already be valid JSON (callers JSON.parse it first).
 */
export function topLevelMemberSpans(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '"') {
      str();
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '"') {
          str();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        i++;
      }
      return;
    }
    while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
  };
  ws();
  if (text[i] !== '{') return out;
  i++;
  for (;;) {
    ws();
    if (text[i] === '}' || i >= text.length) return out;
    const key = str();
    ws();
    i++; // colon
    ws();
    const start = i;
    value();
    out.set(key, text.slice(start, i));
    ws();
    if (text[i] === ',') i++;
  }
}
