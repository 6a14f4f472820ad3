/**
 * The StreamDiffusion-style img2img pipeline on ONNX Runtime, one frame at a time: the puppet frame
 * encoded as the init latent (mixed with the previous frame's latent: feedback, and optionally a
 * reference latent of the character at rest: identity), noised with the
 * session's fixed noise to the first LCM timestep, 1–4 steps of ControlNet (the OpenPose image of the
 * same pose) + UNet, decoded to RGBA. Runs inside the diffusion worker thread (diffusion-worker.ts):
 * onnxruntime-node's run() computes on the calling thread, so it must never be the engine's.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ClipTokenizer } from './clip-tokenizer.js';
import {
  CONTROLNET_MID_OUTPUT,
  DOWN_BLOCK_COUNT,
  MODEL_FILES,
  MODEL_NAMES,
  TOKENIZER_FILES,
  UNET_MID_INPUT,
  defaultThreads,
  downBlockName,
  type DiffusionConfig,
  type ExecutionProvider,
  type ModelName,
  type Ort,
  type OrtSession,
  type OrtTensor,
  type OrtValueMetadata,
} from './diffusion-models.js';
import { addNoise, alphasCumprod, lcmDenoise, lcmTimesteps, seededNoise } from './diffusion-schedule.js';

/** SD 1.x/2.x VAE latent scaling factor. */
export const LATENT_SCALE = 0.18215;
/** The grey the puppet's transparent background becomes in the init image. */
const INIT_BACKGROUND = 0.5;

export interface PipelineOptions extends Omit<DiffusionConfig, 'prompt' | 'modelsDir'> {
  modelsDir: string;
  width: number;
  height: number;
}

export interface FrameTimings {
  encode: number;
  denoise: number;
  decode: number;
  total: number;
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 1000) / 1000;

/** Mean absolute difference of two RGBA images, 0..1, over every 4th pixel. */
const difference = (a: Uint8Array, b: Uint8Array): number => {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 16) {
    sum += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) + Math.abs(a[i + 3]! - b[i + 3]!);
    n += 4;
  }
  return n ? sum / n / 255 : 0;
};

/** A latent on its way through the steps, with the pose image of its frame. */
interface InFlight {
  sample: Float32Array;
  cond: Float32Array;
  step: number;
}

export class DiffusionPipeline {
  private embeddings: OrtTensor | null = null;
  private prompt = '';
  private previousLatent: Float32Array | null = null;
  private referenceLatent: Float32Array | null = null;
  private previousControl: Uint8Array | null = null;
  private previousInit: Uint8Array | null = null;
  private readonly noise: Float32Array;
  private readonly alphas = alphasCumprod();
  private readonly timesteps: number[];
  /** Stream batch: earlier frames still on their way through the steps, by step. */
  private inFlight: InFlight[] = [];
  private readonly repeated = new Map<number, OrtTensor>();
  /** Providers tried before the one in use, each with why it could not be used. */
  unavailable: string[] = [];

  private constructor(
    private readonly ort: Ort,
    private readonly sessions: Record<ModelName, OrtSession>,
    private readonly tokenizer: ClipTokenizer,
    readonly provider: ExecutionProvider,
    private readonly options: PipelineOptions,
    /** [channels, h, w] of the latent. */
    readonly latentShape: [number, number, number],
  ) {
    this.noise = seededNoise(options.seed, latentShape[0] * latentShape[1] * latentShape[2]);
    this.timesteps = lcmTimesteps(options.steps, options.strength);
  }

  /**
   * Opens the five models on the first execution provider that works (tensorrt → cuda → cpu, as
   * configured) and checks their names and shapes against what this pipeline feeds them.
   */
  static async load(ort: Ort, options: PipelineOptions, progress: (fraction: number, stage: string) => void = () => {}): Promise<DiffusionPipeline> {
    const { modelsDir, width, height } = options;
    for (const file of [...MODEL_NAMES.map((n) => MODEL_FILES[n].file), ...Object.values(TOKENIZER_FILES)]) {
      if (!(await stat(path.join(modelsDir, file)).catch(() => null))) {
        throw new Error(`model file missing: ${path.join(modelsDir, file)} (docs/diffusion.md lists the files; \`persona models verify ${modelsDir}\` checks a set)`);
      }
    }
    if (width % 8 || height % 8) throw new Error(`frame size ${width}×${height}: the VAE needs multiples of 8`);
    const threads = defaultThreads(options.threads);
    const tried: string[] = [];
    const open = async (name: ModelName, provider: ExecutionProvider) => {
      const chain = provider === 'tensorrt' ? ['tensorrt', 'cuda', 'cpu'] : provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'];
      return ort.InferenceSession.create(path.join(modelsDir, MODEL_FILES[name].file), {
        executionProviders: chain,
        // A provider that cannot load says why in the error we keep (`unavailable`); ORT's own log of it would only repeat it in red.
        logSeverityLevel: provider === 'cpu' ? 2 : 4,
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    };
    let provider: ExecutionProvider | null = null;
    let first: OrtSession | null = null;
    for (const candidate of options.providers) {
      progress(0.02, `trying ${candidate}`);
      try {
        first = await open('text_encoder', candidate);
        provider = candidate;
        break;
      } catch (error) {
        tried.push(`${candidate}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    if (!provider || !first) throw new Error(`no execution provider could open the text encoder (${tried.join('; ')})`);
    const sessions = { text_encoder: first } as Record<ModelName, OrtSession>;
    const rest = MODEL_NAMES.filter((n) => n !== 'text_encoder');
    for (const [i, name] of rest.entries()) {
      progress(0.1 + (0.8 * i) / rest.length, `opening ${name} on ${provider}${provider === 'tensorrt' ? ' (a first TensorRT engine build takes minutes)' : ''}`);
      try {
        sessions[name] = await open(name, provider);
      } catch (error) {
        for (const s of Object.values(sessions)) await s.release();
        throw new Error(`${MODEL_FILES[name].file} does not open: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    try {
      const latentShape = checkSignature(sessions, width, height, options.streamBatch ? options.steps : 1);
      progress(0.95, 'loading the tokenizer');
      const tokenizer = await ClipTokenizer.load(path.join(modelsDir, TOKENIZER_FILES.vocab), path.join(modelsDir, TOKENIZER_FILES.merges));
      const pipeline = new DiffusionPipeline(ort, sessions, tokenizer, provider, options, latentShape);
      pipeline.unavailable = tried;
      return pipeline;
    } catch (error) {
      for (const s of Object.values(sessions)) await s.release();
      throw error;
    }
  }

  /** Encodes the reference image (RGBA, the frame size) once: the latent `reference` mixes into every frame. */
  async setReference(rgba: Uint8Array): Promise<void> {
    const { width, height } = this.options;
    const encoded = await this.sessions.vae_encoder.run({ sample: new this.ort.Tensor('float32', rgbaToPlanes(rgba, width, height, -1, 1), [1, 3, height, width]) });
    this.referenceLatent = Float32Array.from(encoded.latent_sample!.data as Float32Array, (v) => v * LATENT_SCALE);
  }

  /** Computes the prompt's embeddings (once per prompt change, not per frame). */
  async setPrompt(prompt: string): Promise<void> {
    if (prompt === this.prompt && this.embeddings) return;
    const session = this.sessions.text_encoder;
    const ids = this.tokenizer.encode(prompt);
    const type = metadata(session.inputMetadata, 'input_ids').type;
    const feed =
      type === 'int64' ? new this.ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]) : new this.ort.Tensor('int32', ids, [1, ids.length]);
    const out = await session.run({ input_ids: feed });
    this.embeddings = out.last_hidden_state!;
    this.repeated.clear();
    this.prompt = prompt;
  }

  /**
   * One frame: `control` is the OpenPose image, `init` the puppet frame (both RGBA, width×height).
   * Returns RGBA, or null when the pose and the puppet frame are as good as unchanged (similarity skip).
   */
  async run(control: Uint8Array, init: Uint8Array): Promise<{ rgba: Uint8Array; timings: FrameTimings } | null> {
    const { width, height, feedback, similarSkip, streamBatch } = this.options;
    if (!this.embeddings) throw new Error('setPrompt() first');
    if (similarSkip < 1 && this.previousControl && this.previousInit) {
      const change = Math.max(difference(control, this.previousControl), difference(init, this.previousInit));
      if (1 - change >= similarSkip) return null;
    }
    this.previousControl = control;
    this.previousInit = init;
    const started = performance.now();
    const { Tensor } = this.ort;
    const [c, h, w] = this.latentShape;
    const encoded = await this.sessions.vae_encoder.run({ sample: new Tensor('float32', rgbaToPlanes(init, width, height, -1, 1), [1, 3, height, width]) });
    const latent = new Float32Array(encoded.latent_sample!.data as Float32Array);
    for (let i = 0; i < latent.length; i++) latent[i]! *= LATENT_SCALE;
    // The frame's own latent, the previous frame's (feedback) and the reference (identity), as shares of one.
    const scale = Math.min(1, 0.95 / Math.max(1e-9, feedback + this.options.reference));
    const fromPrevious = this.previousLatent ? feedback * scale : 0;
    const fromReference = this.referenceLatent ? this.options.reference * scale : 0;
    if (fromPrevious || fromReference) {
      const own = 1 - fromPrevious - fromReference;
      for (let i = 0; i < latent.length; i++) {
        latent[i] = own * latent[i]! + (fromPrevious ? fromPrevious * this.previousLatent![i]! : 0) + (fromReference ? fromReference * this.referenceLatent![i]! : 0);
      }
    }
    const encodeMs = elapsed(started);
    const denoiseStart = performance.now();
    const cond = rgbaToPlanes(control, width, height, 0, 1);
    const fresh: InFlight = { sample: addNoise(latent, this.noise, this.alphas[this.timesteps[0]!]!, new Float32Array(latent.length)), cond, step: 0 };
    let denoised: Float32Array | null = null;
    if (streamBatch) {
      // StreamDiffusion's stream batch: this frame enters at the first step while earlier frames take their
      // next step, all in one batch; the frame that takes its last step comes out (steps − 1 frames later).
      const entries = [fresh, ...this.inFlight];
      const epsilon = await this.epsilon(entries, this.timesteps.length);
      this.inFlight = [];
      entries.forEach((entry, i) => {
        const done = this.denoise(entry, epsilon[i]!);
        if (entry.step === this.timesteps.length - 1) denoised = done;
        else this.inFlight.push({ sample: this.renoise(done, entry.step + 1), cond: entry.cond, step: entry.step + 1 });
      });
      if (!denoised) return null; // the batch is still filling: the first frames come out later
    } else {
      let entry = fresh;
      for (;;) {
        const done = this.denoise(entry, (await this.epsilon([entry], 1))[0]!);
        if (entry.step === this.timesteps.length - 1) {
          denoised = done;
          break;
        }
        entry = { sample: this.renoise(done, entry.step + 1), cond, step: entry.step + 1 };
      }
    }
    const finished: Float32Array = denoised;
    this.previousLatent = finished;
    const denoiseMs = elapsed(denoiseStart);
    const decodeStart = performance.now();
    const scaled = new Float32Array(finished.length);
    for (let i = 0; i < scaled.length; i++) scaled[i] = finished[i]! / LATENT_SCALE;
    const decoded = await this.sessions.vae_decoder.run({ latent_sample: new Tensor('float32', scaled, [1, c, h, w]) });
    const rgba = planesToRgba(decoded.sample!.data as Float32Array, width, height);
    return { rgba, timings: { encode: encodeMs, denoise: denoiseMs, decode: elapsed(decodeStart), total: elapsed(started) } };
  }

  /** The LCM update of `entry` at its step's timestep, given the model's ε. */
  private denoise(entry: InFlight, epsilon: Float32Array): Float32Array {
    const t = this.timesteps[entry.step]!;
    return lcmDenoise(entry.sample, epsilon, t, this.alphas[t]!, new Float32Array(entry.sample.length));
  }

  /** A denoised latent noised again (with the session's fixed noise) to the timestep of `step`. */
  private renoise(denoised: Float32Array, step: number): Float32Array {
    return addNoise(denoised, this.noise, this.alphas[this.timesteps[step]!]!, new Float32Array(denoised.length));
  }

  /** One ControlNet + UNet pass over `entries`, padded to `batch` with copies of the first; ε per entry. */
  private async epsilon(entries: InFlight[], batch: number): Promise<Float32Array[]> {
    const { Tensor } = this.ort;
    const { width, height, controlScale } = this.options;
    const [c, h, w] = this.latentShape;
    const latentSize = c * h * w;
    const condSize = 3 * height * width;
    const padded = Array.from({ length: batch }, (_, i) => entries[i] ?? entries[0]!);
    const sample = new Float32Array(batch * latentSize);
    const cond = new Float32Array(batch * condSize);
    padded.forEach((e, i) => {
      sample.set(e.sample, i * latentSize);
      cond.set(e.cond, i * condSize);
    });
    const x = new Tensor('float32', sample, [batch, c, h, w]);
    const timesteps = padded.map((e) => this.timesteps[e.step]!);
    const embeddings = this.batchedEmbeddings(batch);
    const residuals = await this.sessions.controlnet.run({
      sample: x,
      timestep: this.timestep(this.sessions.controlnet, timesteps),
      encoder_hidden_states: embeddings,
      controlnet_cond: new Tensor('float32', cond, [batch, 3, height, width]),
      conditioning_scale: new Tensor('float32', Float32Array.of(controlScale), metadataShape(this.sessions.controlnet, 'conditioning_scale', [])),
    });
    const feeds: Record<string, OrtTensor> = { sample: x, timestep: this.timestep(this.sessions.unet, timesteps), encoder_hidden_states: embeddings };
    for (let b = 0; b < DOWN_BLOCK_COUNT; b++) feeds[downBlockName(b)] = residuals[downBlockName(b)]!;
    feeds[UNET_MID_INPUT] = residuals[CONTROLNET_MID_OUTPUT]!;
    const epsilon = (await this.sessions.unet.run(feeds)).out_sample!.data as Float32Array;
    return entries.map((_, i) => epsilon.subarray(i * latentSize, (i + 1) * latentSize));
  }

  /** The prompt's embeddings repeated `batch` times (made once per prompt and batch size). */
  private batchedEmbeddings(batch: number): OrtTensor {
    const one = this.embeddings!;
    if (batch === 1) return one;
    let tensor = this.repeated.get(batch);
    if (!tensor) {
      const data = one.data as Float32Array;
      const out = new Float32Array(data.length * batch);
      for (let i = 0; i < batch; i++) out.set(data, i * data.length);
      tensor = new this.ort.Tensor('float32', out, [batch, ...one.dims.slice(1)]);
      this.repeated.set(batch, tensor);
    }
    return tensor;
  }

  private timestep(session: OrtSession, t: number[]): OrtTensor {
    const meta = metadata(session.inputMetadata, 'timestep');
    const shape = meta.shape?.length ? [t.length] : [];
    return meta.type === 'int64'
      ? new this.ort.Tensor('int64', BigInt64Array.from(t, (v) => BigInt(v)), shape)
      : new this.ort.Tensor('float32', Float32Array.from(t), shape);
  }

  async release(): Promise<void> {
    for (const s of Object.values(this.sessions)) await s.release();
  }
}

const metadata = (list: readonly OrtValueMetadata[], name: string): OrtValueMetadata => {
  const found = list.find((m) => m.name === name);
  if (!found) throw new Error(`no "${name}" (has ${list.map((m) => m.name).join(', ')})`);
  return found;
};

/** The declared shape with symbolic dims as 1, or `fallback` when the model declares none. */
const metadataShape = (session: OrtSession, name: string, fallback: number[]): number[] => {
  const shape = metadata(session.inputMetadata, name).shape;
  return shape?.length ? shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1)) : fallback;
};

/**
 * Checks the models' names and every fixed dimension against this session's frame size; returns the
 * latent's [channels, h, w]. A mismatch is an error naming the file, the tensor, and both shapes.
 */
const checkSignature = (sessions: Record<ModelName, OrtSession>, width: number, height: number, batch: number): [number, number, number] => {
  for (const name of MODEL_NAMES) {
    const spec = MODEL_FILES[name];
    const s = sessions[name];
    for (const input of spec.inputs) if (!s.inputNames.includes(input)) throw new Error(`${spec.file} has no input "${input}" (it has ${s.inputNames.join(', ')})`);
    for (const output of spec.outputs) if (!s.outputNames.includes(output)) throw new Error(`${spec.file} has no output "${output}" (it has ${s.outputNames.join(', ')})`);
  }
  const fits = (file: string, tensor: string, shape: readonly (number | string)[] | undefined, want: (number | null)[]) => {
    if (!shape?.length) return;
    const bad = shape.length !== want.length || want.some((w, i) => w !== null && typeof shape[i] === 'number' && (shape[i] as number) > 0 && shape[i] !== w);
    if (bad) {
      throw new Error(
        `${file}: "${tensor}" is ${JSON.stringify(shape)} but this session needs ${JSON.stringify(want.map((w) => w ?? '*'))} (frame ${width}×${height}${batch > 1 ? `, stream batch ${batch}` : ''}; export the model for this size${batch > 1 ? ' and batch' : ''} or change --size)`,
      );
    }
  };
  const encoderOut = metadata(sessions.vae_encoder.outputMetadata, 'latent_sample').shape;
  const channels = typeof encoderOut?.[1] === 'number' && encoderOut[1] > 0 ? encoderOut[1] : 4;
  const [h, w] = [height / 8, width / 8];
  fits(MODEL_FILES.vae_encoder.file, 'sample', metadata(sessions.vae_encoder.inputMetadata, 'sample').shape, [1, 3, height, width]);
  fits(MODEL_FILES.vae_encoder.file, 'latent_sample', encoderOut, [1, channels, h, w]);
  fits(MODEL_FILES.vae_decoder.file, 'latent_sample', metadata(sessions.vae_decoder.inputMetadata, 'latent_sample').shape, [1, channels, h, w]);
  fits(MODEL_FILES.vae_decoder.file, 'sample', metadata(sessions.vae_decoder.outputMetadata, 'sample').shape, [1, 3, height, width]);
  for (const model of ['controlnet', 'unet'] as const) {
    fits(MODEL_FILES[model].file, 'sample', metadata(sessions[model].inputMetadata, 'sample').shape, [batch, channels, h, w]);
  }
  fits(MODEL_FILES.controlnet.file, 'controlnet_cond', metadata(sessions.controlnet.inputMetadata, 'controlnet_cond').shape, [batch, 3, height, width]);
  fits(MODEL_FILES.unet.file, 'out_sample', metadata(sessions.unet.outputMetadata, 'out_sample').shape, [batch, channels, h, w]);
  // Each residual the controlnet makes must be what the unet takes.
  const residuals: [string, string][] = [...Array.from({ length: DOWN_BLOCK_COUNT }, (_, i): [string, string] => [downBlockName(i), downBlockName(i)]), [CONTROLNET_MID_OUTPUT, UNET_MID_INPUT]];
  for (const [out, input] of residuals) {
    const made = metadata(sessions.controlnet.outputMetadata, out).shape;
    const taken = metadata(sessions.unet.inputMetadata, input).shape;
    if (made?.length && taken?.length && JSON.stringify(made) !== JSON.stringify(taken)) {
      throw new Error(`controlnet output "${out}" is ${JSON.stringify(made)} but unet input "${input}" is ${JSON.stringify(taken)}: the two were exported for different models or sizes`);
    }
  }
  return [channels, h, w];
};

/** RGBA bytes → planar RGB floats in [lo, hi], transparent pixels over INIT_BACKGROUND. */
export const rgbaToPlanes = (rgba: Uint8Array, width: number, height: number, lo: number, hi: number): Float32Array => {
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  const span = hi - lo;
  for (let p = 0; p < plane; p++) {
    const a = rgba[p * 4 + 3]! / 255;
    for (let ch = 0; ch < 3; ch++) {
      const v = (rgba[p * 4 + ch]! / 255) * a + INIT_BACKGROUND * (1 - a);
      out[ch * plane + p] = lo + v * span;
    }
  }
  return out;
};

/** Planar RGB in [-1, 1] → opaque RGBA bytes (a clamped view does the rounding and clipping). */
export const planesToRgba = (planes: Float32Array, width: number, height: number): Uint8Array => {
  const plane = width * height;
  const out = new Uint8Array(plane * 4);
  const clamped = new Uint8ClampedArray(out.buffer);
  for (let ch = 0; ch < 3; ch++) {
    const base = ch * plane;
    for (let p = 0, o = ch; p < plane; p++, o += 4) clamped[o] = (planes[base + p]! + 1) * 127.5;
  }
  for (let o = 3; o < out.length; o += 4) out[o] = 255;
  return out;
};
