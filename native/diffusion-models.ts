/**
 * The diffusion source's model set: its settings (zod), the ONNX files it needs in diffusers' ONNX
 * layout, the input and output names each must have, and `verifyModels` (names, shapes, hashes),
 * which `persona models verify DIR` prints. docs/diffusion.md explains each file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Artifact } from '../protocol/frame-source.js';
import { ADDITIONS, importAddition } from '../protocol/additions.js';

export const ONNXRUNTIME_PACKAGE = {
  name: `${ADDITIONS.neural.package}@${ADDITIONS.neural.version}`,
  install: 'npx persona add neural (onnxruntime-node without its GPU download; docs/diffusion.md enables CUDA/TensorRT)',
};

export const EXECUTION_PROVIDERS = ['tensorrt', 'cuda', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** The models dir: PERSONA_MODELS_DIR, else <data dir>/models. */
export const defaultModelsDir = (dataDir: string): string => process.env.PERSONA_MODELS_DIR || path.join(dataDir, 'models');

export const DiffusionConfigSchema = z.strictObject({
  modelsDir: z.string().min(1).max(1024).optional().describe('the ONNX model set (docs/diffusion.md); default PERSONA_MODELS_DIR, else <data dir>/models'),
  prompt: z.string().max(500).optional().describe("what the character looks like, as a prompt; default: written from the character's look"),
  steps: z.number().int().min(1).max(4).default(2).describe('denoising steps per frame (turbo/LCM: 1–4)'),
  strength: z.number().min(0.05).max(1).default(0.5).describe('how far each frame may move from the puppet frame (img2img strength)'),
  controlScale: z.number().min(0).max(2).default(1).describe('weight of the OpenPose ControlNet'),
  feedback: z.number().min(0).max(0.9).default(0.2).describe('share of the previous frame’s latent mixed into the next (temporal smoothness)'),
  reference: z
    .number()
    .min(0)
    .max(0.9)
    .default(0)
    .describe('share of a reference latent — the character at rest, drawn by the puppet, encoded once — mixed into every frame (identity anchor); with feedback, at most 0.95 together'),
  similarSkip: z.number().min(0).max(1).default(0.995).describe('skip a frame whose pose image is at least this similar to the last one (1: never skip)'),
  streamBatch: z
    .boolean()
    .default(false)
    .describe('stream batch: each run takes every frame in flight one step (batch = steps), one frame out per run, steps − 1 frames later; needs controlnet and unet exported with that batch or a dynamic one'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1).describe('the session’s fixed noise (same seed and pose, same frame)'),
  providers: z.array(z.enum(EXECUTION_PROVIDERS)).min(1).max(3).default([...EXECUTION_PROVIDERS]).describe('ONNX Runtime execution providers, tried in order'),
  threads: z.number().int().min(0).max(64).default(0).describe('CPU threads per model (0: all cores but one)'),
});
export type DiffusionConfig = z.output<typeof DiffusionConfigSchema>;

/** The ControlNet residuals: 12 down-block tensors and the mid block, by name, in the controlnet's outputs and the unet's inputs. */
export const DOWN_BLOCK_COUNT = 12;
export const downBlockName = (i: number) => `down_block_${i}`;
export const CONTROLNET_MID_OUTPUT = 'mid_block_res_sample';
export const UNET_MID_INPUT = 'mid_block_additional_residual';

/** Each ONNX file, its inputs and outputs by name (shapes as in diffusers' ONNX export of SD 1.5/2.1 at H×W, latent h = H/8). */
export const MODEL_FILES = {
  text_encoder: {
    file: 'text_encoder/model.onnx',
    inputs: ['input_ids'],
    outputs: ['last_hidden_state'],
  },
  vae_encoder: { file: 'vae_encoder/model.onnx', inputs: ['sample'], outputs: ['latent_sample'] },
  vae_decoder: { file: 'vae_decoder/model.onnx', inputs: ['latent_sample'], outputs: ['sample'] },
  controlnet: {
    file: 'controlnet/model.onnx',
    inputs: ['sample', 'timestep', 'encoder_hidden_states', 'controlnet_cond', 'conditioning_scale'],
    outputs: [...Array.from({ length: DOWN_BLOCK_COUNT }, (_, i) => downBlockName(i)), CONTROLNET_MID_OUTPUT],
  },
  unet: {
    file: 'unet/model.onnx',
    inputs: ['sample', 'timestep', 'encoder_hidden_states', ...Array.from({ length: DOWN_BLOCK_COUNT }, (_, i) => downBlockName(i)), UNET_MID_INPUT],
    outputs: ['out_sample'],
  },
} as const;
export type ModelName = keyof typeof MODEL_FILES;
export const MODEL_NAMES = Object.keys(MODEL_FILES) as ModelName[];

/** The CLIP tokenizer's files (diffusers' tokenizer/ folder). */
export const TOKENIZER_FILES = { vocab: 'tokenizer/vocab.json', merges: 'tokenizer/merges.txt' } as const;

const EXPORT = 'scripts/export-diffusion-onnx.py on a machine with PyTorch (docs/diffusion.md)';
export const DIFFUSION_ARTIFACTS: readonly Artifact[] = [
  ...MODEL_NAMES.map((name) => ({ path: MODEL_FILES[name].file, bytes: null, sha256: null, origin: EXPORT })),
  { path: TOKENIZER_FILES.vocab, bytes: null, sha256: null, origin: 'the base model’s tokenizer/ folder (Hugging Face)' },
  { path: TOKENIZER_FILES.merges, bytes: null, sha256: null, origin: 'the base model’s tokenizer/ folder (Hugging Face)' },
];

/** CPU threads for a model when not set: every core but one, so the tick keeps one. */
export const defaultThreads = (threads: number): number => threads || Math.max(1, os.availableParallelism() - 1);

export const sha256File = (file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });

/** The part of onnxruntime-node's API the pipeline uses (declared here: the package is not installed by default, so its types may be absent). */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint16Array | unknown;
}
export interface OrtValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface Ort {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
  listSupportedBackends?(): { name: string; bundled: boolean }[];
  env: { logLevel?: string; versions?: { common?: string } };
}

export interface VerifiedFile {
  path: string;
  bytes: number | null;
  sha256: string | null;
  /** Inputs and outputs as the file declares them: name, element type, shape (symbolic dims as names). */
  inputs: { name: string; type: string; shape: (number | string)[] }[];
  outputs: { name: string; type: string; shape: (number | string)[] }[];
  problems: string[];
}

/**
 * Checks a model set: every file present, each ONNX file opens and has the input and output names
 * the pipeline feeds and reads, with the ranks it expects; prints sizes and sha256 for pinning.
 */
export const verifyModels = async (dir: string, ort: Ort): Promise<{ ok: boolean; files: VerifiedFile[] }> => {
  const files: VerifiedFile[] = [];
  const ranks: Record<string, number> = { input_ids: 2, last_hidden_state: 3, sample: 4, latent_sample: 4, controlnet_cond: 4, encoder_hidden_states: 3, out_sample: 4, timestep: 1 };
  for (const name of MODEL_NAMES) {
    const spec = MODEL_FILES[name];
    const file = path.join(dir, spec.file);
    const entry: VerifiedFile = { path: spec.file, bytes: null, sha256: null, inputs: [], outputs: [], problems: [] };
    files.push(entry);
    const info = await stat(file).catch(() => null);
    if (!info) {
      entry.problems.push(`missing: ${file}`);
      continue;
    }
    entry.bytes = info.size;
    entry.sha256 = await sha256File(file);
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
    } catch (error) {
      entry.problems.push(`does not open as ONNX: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const describe = (m: OrtValueMetadata) =>
      m.isTensor ? { name: m.name, type: m.type ?? '?', shape: [...(m.shape ?? [])] } : { name: m.name, type: 'non-tensor', shape: [] };
    entry.inputs = session.inputMetadata.map(describe);
    entry.outputs = session.outputMetadata.map(describe);
    for (const [kind, wanted, have] of [
      ['input', spec.inputs, entry.inputs],
      ['output', spec.outputs, entry.outputs],
    ] as const) {
      for (const want of wanted) {
        const found = have.find((h) => h.name === want);
        if (!found) entry.problems.push(`no ${kind} "${want}" (has ${have.map((h) => h.name).join(', ') || 'none'})`);
        else if (ranks[want] !== undefined && found.shape.length && found.shape.length !== ranks[want]) {
          entry.problems.push(`${kind} "${want}" has rank ${found.shape.length}, expected ${ranks[want]} (${JSON.stringify(found.shape)})`);
        } else if (want.startsWith('down_block_') && found.shape.length && found.shape.length !== 4) {
          entry.problems.push(`${kind} "${want}" has rank ${found.shape.length}, expected 4`);
        }
      }
    }
    await session.release();
  }
  for (const tokenizerFile of Object.values(TOKENIZER_FILES)) {
    const info = await stat(path.join(dir, tokenizerFile)).catch(() => null);
    files.push({
      path: tokenizerFile,
      bytes: info?.size ?? null,
      sha256: info ? await sha256File(path.join(dir, tokenizerFile)) : null,
      inputs: [],
      outputs: [],
      problems: info ? [] : [`missing: ${path.join(dir, tokenizerFile)}`],
    });
  }
  return { ok: files.every((f) => f.problems.length === 0), files };
};

/**
 * Loads onnxruntime-node (the `neural` addition, additions/neural/) on demand: when a neural source is
 * chosen or models are verified, never at startup. Throws the addition's one line on how to add it.
 */
export const importOnnxRuntime = async (): Promise<Ort> => {
  const mod = await importAddition<Ort & { default?: Ort }>('neural');
  const ort = mod.InferenceSession ? mod : mod.default!;
  // Every error ORT logs also reaches us as the error it throws (and we report it: a provider that could
  // not load, a run that failed); its own log would print it a second time, in red, per session.
  ort.env.logLevel = 'fatal';
  return ort;
};
