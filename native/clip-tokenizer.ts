/**
 * The CLIP tokenizer of Stable Diffusion's text encoder (byte-level BPE over vocab.json and
 * merges.txt from the model's tokenizer/ folder), as OpenAI's and Hugging Face's CLIPTokenizer do it:
 * lower-cased, split by CLIP's pattern, "</w>" on each word's last symbol, <|startoftext|> … <|endoftext|>,
 * padded with <|endoftext|> to 77.
 */
import { readFile } from 'node:fs/promises';

const PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** GPT-2's byte → printable character table (bytes_to_unicode). */
const byteToChar = (() => {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return table;
})();

export class ClipTokenizer {
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();
  readonly bos: number;
  readonly eos: number;

  constructor(
    private readonly vocab: Record<string, number>,
    merges: string[],
    readonly maxLength = 77,
  ) {
    this.ranks = new Map(merges.map((m, i) => [m, i]));
    const bos = vocab['<|startoftext|>'];
    const eos = vocab['<|endoftext|>'];
    if (bos === undefined || eos === undefined) throw new Error('tokenizer vocab.json lacks <|startoftext|> or <|endoftext|>');
    this.bos = bos;
    this.eos = eos;
  }

  static async load(vocabFile: string, mergesFile: string): Promise<ClipTokenizer> {
    const vocab = JSON.parse(await readFile(vocabFile, 'utf8')) as Record<string, number>;
    const lines = (await readFile(mergesFile, 'utf8')).split('\n');
    const merges = lines.filter((l, i) => l.trim() && !(i === 0 && l.startsWith('#version')));
    return new ClipTokenizer(vocab, merges);
  }

  /** Token ids for `text`: BOS, the text's tokens (cut to fit), EOS, then EOS padding to maxLength. */
  encode(text: string): Int32Array {
    const clean = text.replace(/\s+/g, ' ').trim().toLowerCase();
    const ids: number[] = [];
    for (const match of clean.matchAll(PATTERN)) {
      const bytes = new TextEncoder().encode(match[0]);
      for (const symbol of this.bpe(Array.from(bytes, (b) => byteToChar[b]!).join(''))) {
        const id = this.vocab[symbol];
        if (id !== undefined) ids.push(id);
      }
    }
    const out = new Int32Array(this.maxLength).fill(this.eos);
    out[0] = this.bos;
    out.set(ids.slice(0, this.maxLength - 2), 1);
    return out;
  }

  private bpe(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    let parts = [...word];
    parts[parts.length - 1] += '</w>';
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < parts.length - 1; i++) {
        const rank = this.ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (rank !== undefined && rank < bestRank) (bestRank = rank), (best = i);
      }
      if (best < 0) break;
      const [a, b] = [parts[best]!, parts[best + 1]!];
      const merged: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i < parts.length - 1 && parts[i] === a && parts[i + 1] === b) merged.push(a + b), i++;
        else merged.push(parts[i]!);
      }
      parts = merged;
    }
    this.cache.set(word, parts);
    return parts;
  }
}
