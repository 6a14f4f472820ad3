/**
 * Writes a tiny LLaMA-architecture GGUF v3 file with seeded random weights and a byte-level BPE
 * vocabulary (the 256 GPT-2 byte characters plus <|endoftext|>), so the local-model path can be
 * tested for real: loading, tokenizing, grammar-constrained sampling and streaming.
 *
 * Random weights emit arbitrary bytes; one hidden feature, constant in every token's embedding and
 * untouched by the layers, carries a −50 bias into the logits of every token that is not printable
 * ASCII, tab, newline or end-of-text, so grammar strings never hold broken UTF-8.
 */
import { writeFileSync } from 'node:fs';
import { mulberry32 } from '../../protocol/random.js';

const N_EMBD = 32;
const N_HEAD = 2;
const N_FF = 64;
const HEAD_DIM = N_EMBD / N_HEAD;
const ALIGN = 32;
const EOS = 256;
const N_VOCAB = 257;
const BIAS_FEATURE = 0;

/** GPT-2's byte → printable character table: a token per byte, in byte order. */
const byteTokens = (): string[] => {
  const direct = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let extra = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(direct(b) ? b : 256 + extra++));
};

const allowed = (token: number) => token === EOS || token === 9 || token === 10 || (token >= 32 && token <= 126);

class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  private push(b: Buffer) {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  bytes(b: Buffer) {
    this.push(b);
  }
  pad() {
    const n = (ALIGN - (this.length % ALIGN)) % ALIGN;
    if (n) this.push(Buffer.alloc(n));
  }
  done() {
    return Buffer.concat(this.chunks);
  }
}

const TYPE = { u32: 4, f32: 6, bool: 7, string: 8, array: 9 } as const;
type Meta = [string, 'u32', number] | [string, 'f32', number] | [string, 'bool', boolean] | [string, 'string', string] | [string, 'strings', string[]] | [string, 'i32s', number[]];


export const writeTinyGguf = (file: string, seed = 7): void => {
  const rand = mulberry32(seed); // seeded, so every run writes the same model
  const small = (n: number, scale = 0.05) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const ones = (n: number) => new Float32Array(n).fill(1);
  /** Rows (output features) of a [cols, rows] matrix that must stay zero, so BIAS_FEATURE is never written. */
  const zeroRow = (m: Float32Array, cols: number, row: number) => m.fill(0, row * cols, (row + 1) * cols);

  const embed = small(N_EMBD * N_VOCAB, 0.02);
  for (let t = 0; t < N_VOCAB; t++) embed[t * N_EMBD + BIAS_FEATURE] = 1;
  const output = small(N_EMBD * N_VOCAB, 0.3);
  for (let t = 0; t < N_VOCAB; t++) output[t * N_EMBD + BIAS_FEATURE] = allowed(t) ? 0 : -50;
  const attnOut = small(N_EMBD * N_EMBD);
  zeroRow(attnOut, N_EMBD, BIAS_FEATURE);
  const ffnDown = small(N_FF * N_EMBD);
  zeroRow(ffnDown, N_FF, BIAS_FEATURE);

  const tensors: [string, number[], Float32Array][] = [
    ['token_embd.weight', [N_EMBD, N_VOCAB], embed],
    ['output_norm.weight', [N_EMBD], ones(N_EMBD)],
    ['output.weight', [N_EMBD, N_VOCAB], output],
    ['blk.0.attn_norm.weight', [N_EMBD], ones(N_EMBD)],
    ['blk.0.ffn_norm.weight', [N_EMBD], ones(N_EMBD)],
    ['blk.0.attn_q.weight', [N_EMBD, N_EMBD], small(N_EMBD * N_EMBD)],
    ['blk.0.attn_k.weight', [N_EMBD, N_EMBD], small(N_EMBD * N_EMBD)],
    ['blk.0.attn_v.weight', [N_EMBD, N_EMBD], small(N_EMBD * N_EMBD)],
    ['blk.0.attn_output.weight', [N_EMBD, N_EMBD], attnOut],
    ['blk.0.ffn_gate.weight', [N_EMBD, N_FF], small(N_EMBD * N_FF)],
    ['blk.0.ffn_up.weight', [N_EMBD, N_FF], small(N_EMBD * N_FF)],
    ['blk.0.ffn_down.weight', [N_FF, N_EMBD], ffnDown],
  ];
  const tokens = [...byteTokens(), '<|endoftext|>'];
  const meta: Meta[] = [
    ['general.architecture', 'string', 'llama'],
    ['general.name', 'string', 'tiny-random-test'],
    ['general.file_type', 'u32', 0],
    ['general.alignment', 'u32', ALIGN],
    ['llama.vocab_size', 'u32', N_VOCAB],
    ['llama.context_length', 'u32', 2048],
    ['llama.embedding_length', 'u32', N_EMBD],
    ['llama.block_count', 'u32', 1],
    ['llama.feed_forward_length', 'u32', N_FF],
    ['llama.attention.head_count', 'u32', N_HEAD],
    ['llama.attention.head_count_kv', 'u32', N_HEAD],
    ['llama.rope.dimension_count', 'u32', HEAD_DIM],
    ['llama.rope.freq_base', 'f32', 10000],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
    ['tokenizer.ggml.model', 'string', 'gpt2'],
    ['tokenizer.ggml.pre', 'string', 'default'],
    ['tokenizer.ggml.tokens', 'strings', tokens],
    ['tokenizer.ggml.token_type', 'i32s', tokens.map((_, i) => (i === EOS ? 3 : 1))],
    ['tokenizer.ggml.merges', 'strings', []],
    ['tokenizer.ggml.bos_token_id', 'u32', EOS],
    ['tokenizer.ggml.eos_token_id', 'u32', EOS],
    ['tokenizer.ggml.add_bos_token', 'bool', false],
  ];

  const w = new Writer();
  w.bytes(Buffer.from('GGUF'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(meta.length);
  for (const [key, kind, value] of meta) {
    w.str(key);
    if (kind === 'u32') (w.u32(TYPE.u32), w.u32(value));
    else if (kind === 'f32') (w.u32(TYPE.f32), w.f32(value));
    else if (kind === 'bool') (w.u32(TYPE.bool), w.bytes(Buffer.from([value ? 1 : 0])));
    else if (kind === 'string') (w.u32(TYPE.string), w.str(value));
    else if (kind === 'strings') {
      w.u32(TYPE.array);
      w.u32(TYPE.string);
      w.u64(value.length);
      for (const s of value) w.str(s);
    } else {
      w.u32(TYPE.array);
      w.u32(5); // int32
      w.u64(value.length);
      for (const v of value) {
        const b = Buffer.alloc(4);
        b.writeInt32LE(v);
        w.bytes(b);
      }
    }
  }
  let offset = 0;
  for (const [name, dims, data] of tensors) {
    w.str(name);
    w.u32(dims.length);
    for (const d of dims) w.u64(d);
    w.u32(0); // f32
    w.u64(offset);
    offset += Math.ceil((data.length * 4) / ALIGN) * ALIGN;
  }
  w.pad();
  for (const [, , data] of tensors) {
    w.bytes(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    w.pad();
  }
  writeFileSync(file, w.done());
};
