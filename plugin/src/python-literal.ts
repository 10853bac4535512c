// Reads a Python literal — what Artisan writes into an .alog with repr() and reads with ast.literal_eval:
// dicts, lists, tuples, strings (with their escapes and u/b prefixes), numbers, True, False and None.
// Anything else is refused with where it stopped.

export type PythonValue = string | number | boolean | null | PythonValue[] | { [key: string]: PythonValue };

export class PythonLiteralError extends Error {
  override readonly name = 'PythonLiteralError';
}

const escapes: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\u0007',
  '0': '\0',
  '\n': '',
};

export function parsePythonLiteral(text: string): PythonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new PythonLiteralError(`${what} at character ${i} (${JSON.stringify(text.slice(i, i + 20))})`);
  };
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    if (/[uUbB]/.test(text[i]!)) i++;
    const quote = text[i]!;
    const triple = text.startsWith(quote.repeat(3), i);
    i += triple ? 3 : 1;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      if (triple ? text.startsWith(quote.repeat(3), i) : text[i] === quote) {
        i += triple ? 3 : 1;
        return out;
      }
      const c = text[i++]!;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[i++]!;
      const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (width > 0) {
        const hex = text.slice(i, i + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) fail('bad escape');
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        i += width;
      } else out += escapes[e] ?? `\\${e}`;
    }
  };
  const value = (): PythonValue => {
    space();
    const c = text[i];
    if (c === undefined) return fail('unexpected end');
    if (c === '{') return dict();
    if (c === '[' || c === '(') return list(c === '[' ? ']' : ')');
    if (c === "'" || c === '"' || (/[uUbB]/.test(c) && /['"]/.test(text[i + 1] ?? ''))) return string();
    const word = /^(True|False|None)\b/.exec(text.slice(i, i + 6));
    if (word) {
      i += word[1]!.length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i, i + 64));
    if (number) {
      i += number[0].length;
      return Number(number[0]);
    }
    return fail('not a literal');
  };
  const items = <T>(close: string, item: () => T): T[] => {
    const out: T[] = [];
    i++;
    for (;;) {
      space();
      if (text[i] === close) {
        i++;
        return out;
      }
      out.push(item());
      space();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected , or ${close}`);
    }
  };
  const list = (close: string) => items(close, value);
  const dict = () => {
    const entries = items('}', () => {
      const key = value();
      space();
      if (text[i++] !== ':') fail('expected :');
      return [String(key), value()] as const;
    });
    return Object.fromEntries(entries);
  };
  const result = value();
  space();
  if (i < text.length) fail('text after the literal');
  return result;
}
