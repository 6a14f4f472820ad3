/**
 * The fuzzer's randomness: one small seeded generator per case, derived from (run seed, target,
 * case index), so any single case replays on its own (`npm run fuzz -- --seed S --case ws:123`).
 * Plus the byte and text mutations every target shares.
 */
import { mulberry32 } from '../protocol/random.js';

/** A seeded generator (mulberry32): same seed, same sequence. */
export class Rng {
  /** A float in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A size skewed toward small ones: mostly under 64, sometimes up to `max`. */
  size(max: number): number {
    const bits = this.int(0, Math.ceil(Math.log2(max + 1)));
    return Math.min(max, this.int(0, 2 ** bits));
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

/** FNV-1a over a string, for mixing the target's name into a case's seed. */
const fnv = (text: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/** The generator for case `index` of `target` in the run seeded `seed`. */
export const caseRng = (seed: number, target: string, index: number): Rng => {
  let h = (seed ^ fnv(target)) >>> 0;
  h = Math.imul(h ^ (index + 0x9e3779b9), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
};

/** Strings that break naive parsers: empty, control characters, lone surrogates, RTL, NUL, huge numbers. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\0',
  '\r\n',
  '\u0000\u0001\u001f\u007f',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u2066evil',
  '𝕏'.repeat(40),
  '%00%0d%0a',
  '../../../etc/passwd',
  '${constructor}',
  '__proto__',
  'constructor',
  'prototype',
  '{{char}}{{user}}<BOT><USER>',
  '<script>alert(1)</script>',
  'NaN',
  '-0',
  '1e309',
  '9007199254740993',
  'null',
  'true',
  '[]',
  '{}',
];

/** A few kinds of random text: ASCII, any BMP code unit (lone surrogates included), nasty strings. */
export const randomText = (rng: Rng, max = 64): string => {
  const n = rng.size(max);
  switch (rng.int(0, 3)) {
    case 0:
      return Array.from({ length: n }, () => String.fromCharCode(rng.int(32, 126))).join('');
    case 1:
      return Array.from({ length: n }, () => String.fromCharCode(rng.int(0, 0xffff))).join('');
    case 2:
      return rng.pick(NASTY_STRINGS);
    default:
      return Array.from({ length: Math.max(1, n >> 3) }, () => rng.pick(NASTY_STRINGS)).join(rng.pick(['', ' ', '\n']));
  }
};

/** Byte-level mutations of a valid input: flips, inserts, deletes, truncations, duplications, splices. */
export const mutateBytes = (rng: Rng, input: Uint8Array, rounds = rng.int(1, 4)): Uint8Array => {
  let bytes = Array.from(input);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(0, bytes.length);
    switch (rng.int(0, 7)) {
      case 0: // flip a bit
        if (bytes.length) bytes[at % bytes.length]! ^= 1 << rng.int(0, 7);
        break;
      case 1: // set a byte to an interesting value
        if (bytes.length) bytes[at % bytes.length] = rng.pick([0x00, 0x7f, 0x80, 0xc0, 0xc1, 0xd4, 0xd5, 0xdc, 0xdd, 0xde, 0xdf, 0xff]);
        break;
      case 2: // insert random bytes
        bytes.splice(at, 0, ...rng.bytes(rng.int(1, 8)));
        break;
      case 3: // delete a run
        bytes.splice(at, rng.int(1, 8));
        break;
      case 4: // truncate
        bytes = bytes.slice(0, at);
        break;
      case 5: // duplicate a run
        bytes.splice(at, 0, ...bytes.slice(at, at + rng.int(1, 16)));
        break;
      case 6: // overwrite with a big-endian length-like word
        for (const [i, b] of [0xff, 0xff, 0xff, rng.int(0, 255)].entries()) if (at + i < bytes.length) bytes[at + i] = b;
        break;
      default: // swap two bytes
        if (bytes.length > 1) {
          const other = rng.int(0, bytes.length - 1);
          const a = at % bytes.length;
          [bytes[a], bytes[other]] = [bytes[other]!, bytes[a]!];
        }
    }
  }
  return Uint8Array.from(bytes);
};

/** Line- and character-level mutations of a text (SDP, JSON, HTTP): drop, duplicate, swap, splice random text. */
export const mutateText = (rng: Rng, input: string, rounds = rng.int(1, 4)): string => {
  let text = input;
  for (let r = 0; r < rounds; r++) {
    const lines = text.split('\n');
    const at = rng.int(0, Math.max(0, lines.length - 1));
    switch (rng.int(0, 6)) {
      case 0:
        lines.splice(at, 1);
        text = lines.join('\n');
        break;
      case 1:
        lines.splice(at, 0, lines[at] ?? '');
        text = lines.join('\n');
        break;
      case 2: {
        const other = rng.int(0, Math.max(0, lines.length - 1));
        [lines[at], lines[other]] = [lines[other] ?? '', lines[at] ?? ''];
        text = lines.join('\n');
        break;
      }
      case 3: {
        const i = rng.int(0, text.length);
        text = text.slice(0, i) + randomText(rng, 32) + text.slice(i + rng.int(0, 8));
        break;
      }
      case 4: {
        const i = rng.int(0, text.length);
        text = text.slice(0, i);
        break;
      }
      case 5: {
        // replace a number with an extreme one
        const numbers = [...text.matchAll(/\d+/g)];
        if (numbers.length) {
          const m = rng.pick(numbers);
          text = text.slice(0, m.index) + rng.pick(['0', '-1', '4294967296', '99999999999999999999', '1.5', 'NaN']) + text.slice(m.index! + m[0].length);
        }
        break;
      }
      default:
        text = Buffer.from(mutateBytes(rng, Buffer.from(text, 'utf8'), 1)).toString('utf8');
    }
  }
  return text;
};

/** p-th percentile (0–100) of `values`, or null when empty. */
export const percentile = (values: readonly number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** A short, printable description of bytes for a failure report: length and leading hex. */
export const hexPreview = (bytes: Uint8Array, max = 48): string =>
  `${bytes.byteLength} bytes: ${Buffer.from(bytes.subarray(0, max)).toString('hex')}${bytes.byteLength > max ? '…' : ''}`;

/** A short, printable description of text for a failure report. */
export const textPreview = (text: string, max = 120): string => {
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}… (${text.length} characters)` : shown;
};
