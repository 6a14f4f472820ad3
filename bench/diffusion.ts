/**
 * Bench keys of the neural frame source (issue 15):
 * - diffusion_frame_ms_cpu: one frame of our pipeline on the tiny generated model set at 512² on ONNX
 *   Runtime's CPU provider — the pipeline's own cost (tensor packing, schedule arithmetic, latent
 *   feedback, RGBA out, five small ONNX runs), not a real model's;
 * - diffusion_provider: the execution provider the tiny set ran on (tensorrt → cuda → cpu tried);
 * - diffusion_fps_512: frames per second of a real model set (PERSONA_MODELS_DIR) at 512² on a GPU
 *   provider, or null with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distribution, type Distribution } from '../engine/profiler.js';
import { isAdded, missingAdditionLine } from '../protocol/additions.js';
import { ControlSource, PuppetSource, createConditioning } from '../native/index.js';
import { DiffusionConfigSchema, EXECUTION_PROVIDERS, importOnnxRuntime, verifyModels } from '../native/diffusion-models.js';
import { DiffusionPipeline } from '../native/diffusion-pipeline.js';
import { getCharacter } from '../characters/index.js';
import { promptFromLook } from '../native/diffusion-source.js';
import { writeTinyDiffusionSet } from '../native/__tests__/tiny-diffusion.js';
import { PersonaSession } from '../app/session.js';

export interface DiffusionBench {
  diffusion_frame_ms_cpu: Distribution | null;
  /** The same with stream batch (2 steps, batch 2: one ControlNet + UNet run per frame instead of two). */
  diffusion_frame_ms_cpu_stream_batch: Distribution | null;
  /** encode / denoise / decode medians of those frames, ms. */
  diffusion_frame_split_ms: { encode: number; denoise: number; decode: number } | null;
  diffusion_provider: string | null;
  diffusion_fps_512: number | null;
  /** Tick time of a live 512² session while a slow model (tiny set + 20 big convolutions) renders, beside the same session on the puppet: the JS thread never waits for the model. */
  diffusion_slow_model_tick_ms: { puppet: Distribution | null; diffusion: Distribution | null; neural_frames: number; ticks: number } | null;
  /** Why a key is null. */
  diffusion_notes: string[];
}

const SIZE = 512;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;

/** Control and puppet frames of a waving sequence, rendered natively once. */
const inputs = async (count: number) => {
  const puppet = new PuppetSource(SIZE, SIZE);
  const control = new ControlSource(SIZE, SIZE);
  const look = getCharacter('aria').look;
  puppet.configure(look);
  control.configure(look);
  const frames: { control: Uint8Array; init: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const c = createConditioning();
    c[0] = 0.1 * Math.sin(i / 3); // the root sways: a new pose every frame, so no frame is skipped as unchanged
    const pair = { control: new Uint8Array(SIZE * SIZE * 4), init: new Uint8Array(SIZE * SIZE * 4) };
    await Promise.all([control.fill(c, pair.control), puppet.fill(c, pair.init)]);
    frames.push(pair);
  }
  puppet.dispose();
  control.dispose();
  return frames;
};

const runFrames = async (pipeline: DiffusionPipeline, frames: { control: Uint8Array; init: Uint8Array }[], warmup: number) => {
  const times: number[] = [];
  const split = { encode: [] as number[], denoise: [] as number[], decode: [] as number[] };
  for (const [i, f] of frames.entries()) {
    const out = await pipeline.run(f.control, f.init);
    if (!out || i < warmup) continue;
    times.push(out.timings.total);
    split.encode.push(out.timings.encode);
    split.denoise.push(out.timings.denoise);
    split.decode.push(out.timings.decode);
  }
  return { times, split };
};

export const measureDiffusion = async (samples: number): Promise<DiffusionBench> => {
  const result: DiffusionBench = { diffusion_frame_ms_cpu: null, diffusion_frame_ms_cpu_stream_batch: null, diffusion_frame_split_ms: null, diffusion_provider: null, diffusion_fps_512: null, diffusion_slow_model_tick_ms: null, diffusion_notes: [] };
  if (!isAdded('neural')) {
    result.diffusion_notes.push(missingAdditionLine('neural'));
    return result;
  }
  const ort = await importOnnxRuntime();
  const frames = await inputs(samples + 3);
  const dir = writeTinyDiffusionSet(mkdtempSync(path.join(os.tmpdir(), 'bench-tiny-sd-')), { size: SIZE, batch: 'dynamic' });
  try {
    const settings = DiffusionConfigSchema.parse({ providers: [...EXECUTION_PROVIDERS], similarSkip: 1 });
    const pipeline = await DiffusionPipeline.load(ort, { ...settings, modelsDir: dir, width: SIZE, height: SIZE });
    await pipeline.setPrompt(promptFromLook(getCharacter('aria').look));
    result.diffusion_provider = pipeline.provider;
    for (const why of pipeline.unavailable) result.diffusion_notes.push(`provider ${why}`);
    const { times, split } = await runFrames(pipeline, frames, 3);
    await pipeline.release();
    const streamed = await DiffusionPipeline.load(ort, { ...settings, modelsDir: dir, width: SIZE, height: SIZE, streamBatch: true });
    await streamed.setPrompt(promptFromLook(getCharacter('aria').look));
    const batched = await runFrames(streamed, frames, 3);
    await streamed.release();
    if (pipeline.provider === 'cpu') result.diffusion_frame_ms_cpu_stream_batch = distribution(batched.times);
    if (pipeline.provider === 'cpu') {
      result.diffusion_frame_ms_cpu = distribution(times);
      result.diffusion_frame_split_ms = { encode: median(split.encode), denoise: median(split.denoise), decode: median(split.decode) };
    } else result.diffusion_notes.push(`the small set ran on ${pipeline.provider}, so diffusion_frame_ms_cpu is not a CPU figure`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  result.diffusion_slow_model_tick_ms = await measureSlowModelTicks(samples >= 30 ? 8 : 3);
  const models = process.env.PERSONA_MODELS_DIR;
  if (!models) {
    result.diffusion_notes.push('diffusion_fps_512: no model set (PERSONA_MODELS_DIR unset)');
    return result;
  }
  const verified = await verifyModels(models, ort);
  if (!verified.ok) {
    result.diffusion_notes.push(`diffusion_fps_512: ${models} is not a complete model set (persona models verify ${models})`);
    return result;
  }
  const settings = DiffusionConfigSchema.parse({ providers: ['tensorrt', 'cuda'], similarSkip: 1, steps: 1 });
  try {
    const pipeline = await DiffusionPipeline.load(ort, { ...settings, modelsDir: models, width: SIZE, height: SIZE });
    await pipeline.setPrompt(promptFromLook(getCharacter('aria').look));
    const { times } = await runFrames(pipeline, frames, 3);
    await pipeline.release();
    result.diffusion_fps_512 = times.length ? Math.round((1000 / median(times)) * 10) / 10 : null;
    result.diffusion_notes.push(`diffusion_fps_512: ${models} on ${pipeline.provider}, 1 step, one frame at a time (no stream batch)`);
  } catch (error) {
    result.diffusion_notes.push(`diffusion_fps_512: no GPU provider (${(error as Error).message.split('\n')[0]})`);
  }
  return result;
};

/** The engine's tick while waving, `seconds` on the puppet, then `seconds` with a slow diffusion model. */
const measureSlowModelTicks = async (seconds: number) => {
  const dir = writeTinyDiffusionSet(mkdtempSync(path.join(os.tmpdir(), 'bench-slow-sd-')), { size: SIZE, slowConvs: 20 });
  const session = new PersonaSession({ width: SIZE, height: SIZE });
  try {
    const run = async () => {
      const from = session.world.time.tick;
      session.world.profiler.ticks.clear();
      const end = performance.now() + seconds * 1000;
      for (let i = 0; performance.now() < end; i++) {
        session.chat(i % 2 ? 'nod' : 'wave');
        await new Promise((r) => setTimeout(r, 700));
      }
      return { tick: distribution(session.world.profiler.ticks.values()), ticks: session.world.time.tick - from };
    };
    session.start();
    const puppet = await run();
    const status = await session.setSource('diffusion', { modelsDir: dir, providers: ['cpu'] });
    if (status.active !== 'diffusion') throw new Error(status.error ?? 'the diffusion source did not start');
    const diffusion = await run();
    const neural = (session.sources!.source as unknown as { counts: { frames: number } }).counts.frames;
    return { puppet: puppet.tick, diffusion: diffusion.tick, neural_frames: neural, ticks: diffusion.ticks };
  } finally {
    session.stop();
    await session.sources?.idle();
    rmSync(dir, { recursive: true, force: true });
  }
};

// `npx tsx bench/diffusion.ts [samples]`: these keys alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureDiffusion(Number(process.argv[2] ?? 30)), null, 2));
}
