/**
 * A tolerant streaming reader for the one JSON object an LLM writes as its reply. Fed chunks as they
 * arrive, it reports each top-level field the moment its value is complete (so `action` reaches the
 * engine before the dialogue is written) and the dialogue string as it grows. Prose or a code fence
 * before the object is skipped; anything after the closing brace is ignored.
 */

export type JsonFieldUpdate = { type: 'field'; key: string; value: unknown } | { type: 'text'; key: string; delta: string };

class Truncated {
  constructor(readonly value: unknown) {}
}

interface Cursor {
  s: string;
  i: number;
}

const WS = /\s/;
const skipWs = (c: Cursor) => {
  while (c.i < c.s.length && WS.test(c.s[c.i]!)) c.i++;
};

const fail = (c: Cursor, what: string): never => {
  throw new SyntaxError(`invalid JSON at character ${c.i}: ${what} (near ${JSON.stringify(c.s.slice(Math.max(0, c.i - 12), c.i + 12))})`);
};

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Reads a string at c.i (which is at the opening quote). Returns a Truncated with the text so far at the end of input. */
const readString = (c: Cursor): string | Truncated => {
  c.i++;
  let out = '';
  while (c.i < c.s.length) {
    const ch = c.s[c.i]!;
    if (ch === '"') {
      c.i++;
      return out;
    }
    if (ch === '\\') {
      const next = c.s[c.i + 1];
      if (next === undefined) return new Truncated(out);
      if (next === 'u') {
        const hex = c.s.slice(c.i + 2, c.i + 6);
        if (hex.length < 4) return new Truncated(out);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(c, `bad \\u escape "${hex}"`);
        out += String.fromCharCode(parseInt(hex, 16));
        c.i += 6;
        continue;
      }
      const decoded = ESCAPES[next];
      if (decoded === undefined) fail(c, `bad escape "\\${next}"`);
      out += decoded;
      c.i += 2;
      continue;
    }
    out += ch;
    c.i++;
  }
  return new Truncated(out);
};

const readValue = (c: Cursor, onField?: (key: string, value: unknown | Truncated) => void): unknown | Truncated => {
  skipWs(c);
  if (c.i >= c.s.length) return new Truncated(undefined);
  const ch = c.s[c.i]!;
  if (ch === '"') return readString(c);
  if (ch === '{') return readObject(c, onField);
  if (ch === '[') {
    c.i++;
    const items: unknown[] = [];
    for (;;) {
      skipWs(c);
      if (c.i >= c.s.length) return new Truncated(items);
      if (c.s[c.i] === ']') {
        c.i++;
        return items;
      }
      const item = readValue(c);
      if (item instanceof Truncated) return new Truncated(items);
      items.push(item);
      skipWs(c);
      if (c.s[c.i] === ',') c.i++;
      else if (c.i < c.s.length && c.s[c.i] !== ']') fail(c, 'expected "," or "]"');
    }
  }
  const literal = /^(?:true|false|null|t(?:r(?:u)?)?|f(?:a(?:l(?:s)?)?)?|n(?:u(?:l)?)?|-?\d+\.?\d*(?:[eE][+-]?\d*)?|-)?/.exec(c.s.slice(c.i))![0];
  if (!literal) fail(c, `unexpected "${ch}"`);
  c.i += literal.length;
  // A literal that reaches the end of the input may still grow ("1" → "10", "tr" → "true").
  if (c.i >= c.s.length) return new Truncated(undefined);
  try {
    return JSON.parse(literal);
  } catch {
    return fail(c, `bad literal "${literal}"`);
  }
};

function readObject(c: Cursor, onField?: (key: string, value: unknown | Truncated) => void): Record<string, unknown> | Truncated {
  c.i++;
  const obj: Record<string, unknown> = {};
  for (;;) {
    skipWs(c);
    if (c.i >= c.s.length) return new Truncated(obj);
    if (c.s[c.i] === '}') {
      c.i++;
      return obj;
    }
    if (c.s[c.i] !== '"') fail(c, 'expected a quoted key');
    const key = readString(c);
    if (key instanceof Truncated) return new Truncated(obj);
    skipWs(c);
    if (c.i >= c.s.length) return new Truncated(obj);
    if (c.s[c.i] !== ':') fail(c, `expected ":" after key "${key}"`);
    c.i++;
    const value = readValue(c);
    onField?.(key, value);
    if (value instanceof Truncated) {
      if (value.value !== undefined) obj[key] = value.value;
      return new Truncated(obj);
    }
    obj[key] = value;
    skipWs(c);
    if (c.s[c.i] === ',') c.i++;
    else if (c.i < c.s.length && c.s[c.i] !== '}') fail(c, 'expected "," or "}"');
  }
}

export class StreamingJsonObjectReader {
  private buffer = '';
  private readonly emitted = new Set<string>();
  private readonly textSoFar = new Map<string, number>();
  private closed = false;

  /**
   * @param textKeys string fields reported as they grow (e.g. `dialogue`); all others are reported once complete.
   */
  constructor(private readonly textKeys: readonly string[] = []) {}

  /** Adds a chunk; returns what became known. Throws SyntaxError when the text cannot be JSON. */
  push(chunk: string): JsonFieldUpdate[] {
    if (this.closed) return [];
    this.buffer += chunk;
    const start = this.buffer.indexOf('{');
    if (start < 0) return [];
    const updates: JsonFieldUpdate[] = [];
    const cursor: Cursor = { s: this.buffer, i: start };
    const result = readObject(cursor, (key, value) => {
      if (this.textKeys.includes(key)) {
        const text = value instanceof Truncated ? value.value : value;
        if (typeof text === 'string') {
          const sent = this.textSoFar.get(key) ?? 0;
          if (text.length > sent) updates.push({ type: 'text', key, delta: text.slice(sent) });
          this.textSoFar.set(key, text.length);
        }
      }
      if (!(value instanceof Truncated) && !this.emitted.has(key)) {
        this.emitted.add(key);
        updates.push({ type: 'field', key, value });
      }
    });
    if (!(result instanceof Truncated)) this.closed = true;
    return updates;
  }

  /** True once the object's closing brace was read. */
  get complete(): boolean {
    return this.closed;
  }

  /** True when no `{` has arrived: the reply is prose, not JSON. */
  get sawNoObject(): boolean {
    return !this.buffer.includes('{');
  }

  get text(): string {
    return this.buffer;
  }
}
