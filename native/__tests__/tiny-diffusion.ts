/**
 * A tiny diffusion model set with the real signature (docs/diffusion.md), written by the tests:
 * five ONNX files (random weights, a few small convolutions each) and a CLIP tokenizer, in a minimal
 * protobuf writer of ONNX's ModelProto (opset 17). Enough for the pipeline to run end to end on CPU.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../../protocol/random.js';

// ---- protobuf (the few wire types ONNX needs) ----
const varint = (value: number | bigint): number[] => {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
};
type Bytes = number[] | Uint8Array;
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, value: number | bigint) => [...key(field, 0), ...varint(value)];
const bytes = (field: number, data: Bytes) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);
const f32 = (field: number, value: number) => [...key(field, 5), ...new Uint8Array(Float32Array.of(value).buffer)];

// ---- ONNX messages ----
const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
type Dim = number | string;

const tensorProto = (name: string, dims: number[], type: number, raw: Uint8Array) => [...dims.flatMap((d) => int(1, d)), ...int(2, type), ...str(8, name), ...bytes(9, raw)];
const valueInfo = (name: string, type: number, shape: Dim[]) => {
  const dims = shape.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, type), ...bytes(2, dims)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
};
type Attr = number | number[] | string | { floats: number[] };
const attribute = (name: string, value: Attr) => {
  if (typeof value === 'string') return [...str(1, name), ...bytes(4, [...new TextEncoder().encode(value)]), ...int(20, 3)];
  if (typeof value === 'number') return Number.isInteger(value) ? [...str(1, name), ...int(3, value), ...int(20, 2)] : [...str(1, name), ...f32(2, value), ...int(20, 1)];
  if (Array.isArray(value)) return [...str(1, name), ...value.flatMap((v) => int(8, v)), ...int(20, 7)];
  return [...str(1, name), ...value.floats.flatMap((v) => f32(7, v)), ...int(20, 6)];
};

/** A graph under construction: add initializers and nodes, then `model()`. */
class Graph {
  private nodes: number[][] = [];
  private inits: number[][] = [];
  private inputs: number[][] = [];
  private outputs: number[][] = [];
  private count = 0;
  constructor(private readonly random: () => number) {}

  input(name: string, shape: Dim[], type = FLOAT): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }
  output(name: string, shape: Dim[], type = FLOAT): void {
    this.outputs.push(valueInfo(name, type, shape));
  }
  /** A float initializer with small random values (or the given ones). */
  weight(dims: number[], scale = 0.3, values?: number[]): string {
    const name = `w${this.count++}`;
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from(values ?? Array.from({ length: n }, () => (this.random() * 2 - 1) * scale));
    this.inits.push(tensorProto(name, dims, FLOAT, new Uint8Array(data.buffer)));
    return name;
  }
  ints(values: number[]): string {
    const name = `i${this.count++}`;
    this.inits.push(tensorProto(name, [values.length], INT64, new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer)));
    return name;
  }
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? `t${this.count++}`;
    this.nodes.push([...inputs.flatMap((i) => str(1, i)), ...str(2, out), ...str(3, `n${this.count++}`), ...str(4, type), ...Object.entries(attrs).flatMap(([k, v]) => bytes(5, attribute(k, v)))]);
    return out;
  }
  /** Conv with random weights: k×k, stride s, `cin` → `cout` channels. */
  conv(x: string, cin: number, cout: number, k: number, s: number, output?: string): string {
    const pad = s === 1 ? (k - 1) / 2 : 0;
    return this.op('Conv', [x, this.weight([cout, cin, k, k], 1 / Math.sqrt(cin * k * k)), this.weight([cout], 0.1)], { kernel_shape: [k, k], strides: [s, s], pads: [pad, pad, pad, pad] }, output);
  }
  /** ConvTranspose upsampling by `s` (kernel s, stride s). */
  up(x: string, cin: number, cout: number, s: number, output?: string): string {
    return this.op('ConvTranspose', [x, this.weight([cin, cout, s, s], 1 / Math.sqrt(cin)), this.weight([cout], 0.1)], { kernel_shape: [s, s], strides: [s, s] }, output);
  }
  model(): Uint8Array {
    const graph = [...this.nodes.flatMap((n) => bytes(1, n)), ...str(2, 'g'), ...this.inits.flatMap((t) => bytes(5, t)), ...this.inputs.flatMap((v) => bytes(11, v)), ...this.outputs.flatMap((v) => bytes(12, v))];
    return Uint8Array.from([...int(1, 8), ...str(2, 'persona-tests'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 17)])]);
  }
}

export interface TinySetOptions {
  /** Frame size the set is exported for (multiple of 64: the latent is halved three times). */
  size?: number;
  /** Hidden size of the text encoder. */
  hidden?: number;
  seed?: number;
  /** Extra 64-channel 3×3 convolutions at 128×128 in the unet: a slow model (each ~0.6 G multiply-adds). */
  slowConvs?: number;
  /** Export the decoder for this size instead (a wrong shape for the session). */
  decoderSize?: number;
  /** Batch of controlnet and unet: 1 (default), another number, or 'dynamic' (stream batch). */
  batch?: number | 'dynamic';
  /** A unet that loads but fails when run (an index out of bounds). */
  failingUnet?: boolean;
}

/** The SD-like residual layout with tiny channels: [channels, downscale] per down block, then the mid block. */
const RESIDUALS: [number, number][] = [[8, 1], [8, 1], [8, 1], [8, 2], [16, 2], [16, 2], [16, 4], [16, 4], [16, 4], [16, 8], [16, 8], [16, 8]];
const MID: [number, number] = [16, 8];
const WORDS = ['a', '2d', 'game', 'character', 'full', 'body', 'brown', 'bob', 'hair', 'blue', 'tshirt', 'navy', 'trousers', 'sneakers', 'coral', 'headband', 'clean', 'line', 'art', 'soft', 'shading', 'plain', 'background', 'red', 'dress'];

/** Writes the set under `dir`; returns `dir`. */
export const writeTinyDiffusionSet = (dir: string, options: TinySetOptions = {}): string => {
  const size = options.size ?? 64;
  const hidden = options.hidden ?? 16;
  const random = mulberry32(options.seed ?? 7);
  const h = size / 8;
  const seq = 77;
  const B: Dim = options.batch === 'dynamic' ? 'batch' : (options.batch ?? 1);
  const write = (name: string, g: Graph) => {
    mkdirSync(path.join(dir, name), { recursive: true });
    writeFileSync(path.join(dir, name, 'model.onnx'), g.model());
  };

  // tokenizer: byte-level BPE vocab with whole words as merges
  const vocab: Record<string, number> = {};
  const merges: string[] = [];
  const add = (t: string) => (vocab[t] ??= Object.keys(vocab).length);
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789,.') (add(c), add(`${c}</w>`));
  for (const word of WORDS) {
    let parts = [...word];
    parts[parts.length - 1] += '</w>';
    while (parts.length > 1) {
      merges.push(`${parts[0]} ${parts[1]}`);
      parts = [parts[0]! + parts[1]!, ...parts.slice(2)];
      add(parts[0]!);
    }
  }
  add('<|startoftext|>');
  add('<|endoftext|>');
  mkdirSync(path.join(dir, 'tokenizer'), { recursive: true });
  writeFileSync(path.join(dir, 'tokenizer', 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(path.join(dir, 'tokenizer', 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
  const vocabSize = Object.keys(vocab).length;

  // text_encoder: embedding lookup + tanh
  {
    const g = new Graph(random);
    const ids = g.input('input_ids', [1, seq], INT32);
    const table = g.weight([vocabSize, hidden], 1);
    const gathered = g.op('Gather', [table, ids], { axis: 0 });
    g.op('Tanh', [gathered], {}, 'last_hidden_state');
    g.output('last_hidden_state', [1, seq, hidden]);
    write('text_encoder', g);
  }
  // vae_encoder: 3 → 4 channels, /8
  {
    const g = new Graph(random);
    g.input('sample', [1, 3, size, size]);
    g.conv('sample', 3, 4, 8, 8, 'latent_sample');
    g.output('latent_sample', [1, 4, h, h]);
    write('vae_encoder', g);
  }
  // vae_decoder: 4 → 3 channels, ×8, tanh
  {
    const d = options.decoderSize ?? size;
    const g = new Graph(random);
    g.input('latent_sample', [1, 4, d / 8, d / 8]);
    const upped = g.up('latent_sample', 4, 3, 8);
    g.op('Tanh', [g.op('Mul', [upped, g.weight([1], 0, [1.5])])], {}, 'sample');
    g.output('sample', [1, 3, d, d]);
    write('vae_decoder', g);
  }
  /** What both controlnet and unet do with timestep and text: a per-sample bias [1,1,1,1]. */
  const bias = (g: Graph) => {
    const text = g.op('ReduceMean', ['encoder_hidden_states'], { axes: [1, 2], keepdims: 1 });
    const t = g.op('Mul', ['timestep', g.weight([1], 0, [0.001])]);
    return g.op('Add', [g.op('Reshape', [text, g.ints([-1, 1, 1, 1])]), g.op('Reshape', [t, g.ints([-1, 1, 1, 1])])]);
  };
  // controlnet: features from the pose image and the sample, one strided conv per residual, × conditioning_scale
  {
    const g = new Graph(random);
    g.input('sample', [B, 4, h, h]);
    g.input('timestep', [B]);
    g.input('encoder_hidden_states', [B, seq, hidden]);
    g.input('controlnet_cond', [B, 3, size, size]);
    g.input('conditioning_scale', []);
    const pose = g.op('Relu', [g.conv('controlnet_cond', 3, 8, 8, 8)]);
    const feature = g.op('Add', [g.op('Add', [pose, g.conv('sample', 4, 8, 1, 1)]), bias(g)]);
    const residual = ([channels, down]: [number, number], name: string) =>
      g.op('Mul', [down === 1 ? g.conv(feature, 8, channels, 3, 1) : g.conv(feature, 8, channels, down, down), 'conditioning_scale'], {}, name);
    RESIDUALS.forEach((r, i) => {
      residual(r, `down_block_${i}`);
      g.output(`down_block_${i}`, [B, r[0], h / r[1], h / r[1]]);
    });
    residual(MID, 'mid_block_res_sample');
    g.output('mid_block_res_sample', [B, MID[0], h / MID[1], h / MID[1]]);
    write('controlnet', g);
  }
  // unet: ε from the sample, the text/time bias and every residual brought back to latent size
  {
    const g = new Graph(random);
    g.input('sample', [B, 4, h, h]);
    g.input('timestep', [B]);
    g.input('encoder_hidden_states', [B, seq, hidden]);
    RESIDUALS.forEach(([c, down], i) => g.input(`down_block_${i}`, [B, c, h / down, h / down]));
    g.input('mid_block_additional_residual', [B, MID[0], h / MID[1], h / MID[1]]);
    let sum = g.op('Add', [g.conv('sample', 4, 4, 3, 1), bias(g)]);
    const back = (name: string, [c, down]: [number, number]) => (down === 1 ? g.conv(name, c, 4, 1, 1) : g.up(name, c, 4, down));
    RESIDUALS.forEach((r, i) => (sum = g.op('Add', [sum, back(`down_block_${i}`, r)])));
    sum = g.op('Add', [sum, back('mid_block_additional_residual', MID)]);
    if (options.slowConvs) {
      let x = g.up('sample', 4, 64, 128 / h);
      for (let i = 0; i < options.slowConvs; i++) x = g.op('Relu', [g.conv(x, 64, 64, 3, 1)]);
      const zero = g.op('Mul', [g.op('ReduceMean', [x], { axes: [1, 2, 3], keepdims: 1 }), g.weight([1], 0, [0])]);
      sum = g.op('Add', [sum, zero]);
    }
    if (options.failingUnet) {
      // Gathers at index timestep×1000 from a table of two: fine to load, out of bounds when run.
      const index = g.op('Cast', [g.op('Mul', ['timestep', g.weight([1], 0, [1000])])], { to: INT64 });
      const picked = g.op('Mul', [g.op('Gather', [g.weight([2]), index], { axis: 0 }), g.weight([1], 0, [0])]);
      sum = g.op('Add', [sum, g.op('Reshape', [picked, g.ints([-1, 1, 1, 1])])]);
    }
    g.op('Tanh', [sum], {}, 'out_sample');
    g.output('out_sample', [B, 4, h, h]);
    write('unet', g);
  }
  return dir;
};
