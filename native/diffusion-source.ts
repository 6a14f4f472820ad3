/**
 * The neural frame source. The engine's tick calls fill() as for any source and never waits: the
 * source keeps the newest conditioning, renders the puppet and OpenPose frames of it natively, and
 * hands them to the diffusion worker thread when that is idle. Until the first neural frame the
 * puppet's frames are returned; after it, a fill settles when the next neural frame lands (the newest
 * waiting buffer gets it; older ones are dropped by the ring), so frames come at the model's rate and
 * the ring's three buffers bound what can wait: no queue grows however slow the model.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Look } from '../protocol/look.js';
import { AdditionMissing, isAdded } from '../protocol/additions.js';
import { ControlSource, PuppetSource, createConditioning, type FillResult, type FrameSource, type FrameSourceStats } from './index.js';
import { MODEL_FILES, defaultModelsDir, type DiffusionConfig } from './diffusion-models.js';
import type { FromWorker, ToWorker } from './diffusion-worker.js';
import type { LoadContext, LoadedSource } from './source-registry.js';

interface Waiting {
  buffer: Uint8Array;
  resolve(result: FillResult): void;
  reject(error: Error): void;
}

/** Nearest colour word for a look's [r, g, b]. */
const colourName = (rgb: readonly number[] | undefined, fallback: string): string => {
  if (!rgb) return fallback;
  const names: [string, number[]][] = [
    ['black', [20, 20, 20]], ['white', [240, 240, 240]], ['grey', [128, 128, 128]], ['brown', [100, 60, 35]], ['blonde', [230, 200, 120]],
    ['red', [200, 40, 40]], ['coral', [240, 110, 100]], ['orange', [240, 140, 40]], ['yellow', [240, 220, 60]], ['green', [60, 160, 80]],
    ['teal', [40, 150, 150]], ['blue', [70, 130, 220]], ['navy', [40, 45, 90]], ['purple', [130, 70, 170]], ['pink', [240, 150, 190]],
  ];
  let best = fallback;
  let bestDistance = Infinity;
  for (const [name, c] of names) {
    const d = (c[0]! - rgb[0]!) ** 2 + (c[1]! - rgb[1]!) ** 2 + (c[2]! - rgb[2]!) ** 2;
    if (d < bestDistance) (bestDistance = d), (best = name);
  }
  return best;
};

/** The character's look as a prompt (what identity the model is asked to keep). */
export const promptFromLook = (look: Look): string => {
  const hair = `${colourName(look.hair, 'brown')} ${look.hairStyle ?? 'bob'} hair`;
  const top = `${colourName(look.top, 'blue')} ${look.topStyle ?? 'tshirt'}`;
  const bottom = `${colourName(look.bottom, 'navy')} ${look.bottomStyle ?? 'trousers'}`;
  const accessory = look.accessory && look.accessory !== 'none' ? `, ${colourName(look.accessoryColour, 'red')} ${look.accessory}` : '';
  return `a 2d game character, full body, ${hair}, ${top}, ${bottom}, ${look.shoeStyle ?? 'sneakers'}${accessory}, clean line art, soft shading, plain background`;
};

/**
 * Where TensorRT keeps the engines it builds for this model set: one folder per GPU, TensorRT
 * version, model files (size and modification time of each) and frame size, under the data dir.
 * Not exercised on this project's machines (no GPU): see docs/diffusion.md.
 */
export const tensorrtCacheDir = (dataDir: string, modelsDir: string, width: number, height: number): string => {
  const gpu = (() => {
    try {
      const dir = '/proc/driver/nvidia/gpus';
      const first = readdirSync(dir)[0];
      return first ? (/Model:\s*(.+)/.exec(readFileSync(path.join(dir, first, 'information'), 'utf8'))?.[1]?.trim() ?? 'nvidia') : 'no-gpu';
    } catch {
      return 'no-gpu';
    }
  })();
  const trt = process.env.PERSONA_TENSORRT_VERSION ?? 'trt';
  const models = createHash('sha256');
  for (const spec of Object.values(MODEL_FILES)) {
    const info = (() => {
      try {
        return statSync(path.join(modelsDir, spec.file));
      } catch {
        return null;
      }
    })();
    models.update(`${spec.file}:${info?.size ?? 0}:${info?.mtimeMs ?? 0};`);
  }
  const key = `${gpu}-${trt}-${models.digest('hex').slice(0, 16)}-${width}x${height}`.replace(/[^A-Za-z0-9._-]+/g, '_');
  return path.join(dataDir, 'engine-cache', key);
};

export class DiffusionSource implements FrameSource {
  readonly kind = 'diffusion';
  provider = 'none';
  private readonly puppet: PuppetSource;
  private readonly control: ControlSource;
  private readonly worker: Worker;
  private readonly frame: Uint8Array;
  private readonly controlFrame: Uint8Array;
  private readonly initFrame: Uint8Array;
  private latest: Float32Array | null = null;
  private fresh = false;
  private running = false;
  private frameSeq = 0;
  private deliveredSeq = 0;
  private waiting: Waiting[] = [];
  private nextId = 1;
  private answers = new Map<number, (message: FromWorker) => void>();
  private disposed = false;
  private failure: string | null = null;
  private failed: ((reason: string) => void) | null = null;
  private fills = 0;
  private totalMs = 0;
  private lastMs = 0;
  private skippedRuns = 0;
  /** Resolves once the worker thread has ended (after dispose(): it finishes its run, then leaves). */
  readonly exited: Promise<void>;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly config: DiffusionConfig,
    private readonly context: LoadContext,
  ) {
    this.puppet = new PuppetSource(width, height);
    this.control = new ControlSource(width, height);
    this.frame = new Uint8Array(width * height * 4);
    this.controlFrame = new Uint8Array(width * height * 4);
    this.initFrame = new Uint8Array(width * height * 4);
    this.worker = new Worker(new URL('./diffusion-worker.mjs', import.meta.url));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('error', (error) => this.fail(`the diffusion worker stopped: ${error.message}`));
    this.worker.on('message', (message: FromWorker) => {
      if ('id' in message) this.answers.get(message.id)?.(message);
    });
  }

  /** Loads the runtime and the models in the worker; rejects with the reason. */
  async start(): Promise<void> {
    const modelsDir = this.config.modelsDir ?? defaultModelsDir(this.context.dataDir);
    if (this.config.providers.includes('tensorrt')) {
      // onnxruntime-node passes no TensorRT options through; its TensorRT provider reads these (process-wide, set before the worker loads it).
      process.env.ORT_TENSORRT_ENGINE_CACHE_ENABLE = '1';
      process.env.ORT_TENSORRT_CACHE_PATH = tensorrtCacheDir(this.context.dataDir, modelsDir, this.width, this.height);
      process.env.ORT_TENSORRT_FP16_ENABLE ??= '1';
    }
    const { prompt, modelsDir: _dir, ...settings } = this.config;
    const done = new Promise<FromWorker>((resolve) => {
      const listen = (message: FromWorker) => {
        if (message.type === 'progress') return this.context.progress(message.fraction, message.stage);
        if (message.type === 'loaded' || message.type === 'load-error') {
          this.worker.off('message', listen);
          resolve(message);
        }
      };
      this.worker.on('message', listen);
      this.worker.once('error', (error) => resolve({ type: 'load-error', message: error.message }));
    });
    // The reference: the character at rest (a zero conditioning: standing, neutral face), drawn by the puppet.
    let reference: ArrayBuffer | null = null;
    if (settings.reference > 0) {
      const rest = new Uint8Array(this.width * this.height * 4);
      this.puppet.configure(this.context.look);
      await this.puppet.fill(createConditioning(), rest);
      reference = rest.buffer;
    }
    this.post(
      { type: 'load', options: { ...settings, modelsDir, width: this.width, height: this.height }, prompt: prompt ?? promptFromLook(this.context.look), reference },
      reference ? [reference] : [],
    );
    const answer = await done;
    if (answer.type === 'load-error') {
      this.dispose();
      throw new Error(answer.message);
    }
    if (answer.type === 'loaded') this.provider = answer.provider;
  }

  /** Called by the source manager: the source tells it once if it cannot go on. */
  onFailure(failed: (reason: string) => void): void {
    this.failed = failed;
    if (this.failure) failed(this.failure);
  }

  configure(look: Look): void {
    this.puppet.configure(look);
    this.control.configure(look);
  }

  fill(conditioning: Float32Array, buffer: Uint8Array): Promise<FillResult> {
    if (this.disposed) return Promise.reject(new Error('fill(): this frame source was disposed'));
    if (this.failure) return Promise.reject(new Error(this.failure));
    (this.latest ??= new Float32Array(conditioning.length)).set(conditioning);
    this.fresh = true;
    this.pump();
    if (this.frameSeq === 0) return this.puppet.fill(conditioning, buffer); // the puppet shows until the first neural frame
    if (this.frameSeq > this.deliveredSeq) return Promise.resolve(this.deliver(buffer));
    return new Promise((resolve, reject) => this.waiting.push({ buffer, resolve, reject }));
  }

  stats(): FrameSourceStats {
    return {
      fills: this.fills,
      meanFillMs: this.fills ? this.totalMs / this.fills : 0,
      lastFillMs: this.lastMs,
      lastQueueMs: 0,
      inFlight: this.waiting.length + (this.running ? 1 : 0),
      width: this.width,
      height: this.height,
    };
  }

  /** Neural frames made, runs skipped as unchanged (similarity skip). */
  get counts(): { frames: number; skipped: number } {
    return { frames: this.frameSeq, skipped: this.skippedRuns };
  }

  private deliver(buffer: Uint8Array): FillResult {
    buffer.set(this.frame);
    this.deliveredSeq = this.frameSeq;
    return { fillMs: this.lastMs, queueMs: 0 };
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** Starts a neural frame from the newest conditioning when the worker is idle. */
  private pump(): void {
    if (this.running || !this.fresh || this.disposed || this.failure || !this.latest) return;
    this.running = true;
    this.fresh = false;
    const conditioning = this.latest.slice();
    const id = this.nextId++;
    Promise.all([this.control.fill(conditioning, this.controlFrame), this.puppet.fill(conditioning, this.initFrame)])
      .then(() => {
        if (this.disposed) return null;
        const control = this.controlFrame.slice().buffer;
        const init = this.initFrame.slice().buffer;
        const answer = new Promise<FromWorker>((resolve) => this.answers.set(id, resolve));
        this.post({ type: 'frame', id, control, init }, [control, init]);
        return answer;
      })
      .then((answer) => {
        this.answers.delete(id);
        if (!answer || this.disposed) return;
        if (answer.type === 'frame-error') return this.fail(`a diffusion run failed: ${answer.message}`);
        if (answer.type !== 'frame') return;
        if (!answer.rgba) {
          this.skippedRuns++;
          return;
        }
        this.frame.set(new Uint8Array(answer.rgba));
        this.frameSeq++;
        this.fills++;
        this.lastMs = answer.ms;
        this.totalMs += answer.ms;
        this.settleWaiting();
      })
      .catch((error: Error) => this.fail(error.message))
      .finally(() => {
        this.running = false;
        if (this.fresh) setImmediate(() => this.pump());
      });
  }

  /** The newest waiting buffer gets the new frame; older ones settle after it (the ring frees them unseen). */
  private settleWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    const newest = waiting.pop();
    if (!newest) return;
    const result = this.deliver(newest.buffer);
    newest.resolve(result);
    for (const older of waiting) older.resolve(result);
  }

  private fail(reason: string): void {
    if (this.failure || this.disposed) return;
    this.failure = reason;
    const error = new Error(reason);
    for (const w of this.waiting.splice(0)) w.reject(error);
    this.failed?.(reason);
  }

  dispose(): void {
    if (this.disposed) return;
    // Buffers still waiting get the last neural frame, so the ring has a picture for each.
    if (this.frameSeq > 0) this.settleWaiting();
    else for (const w of this.waiting.splice(0)) w.reject(new Error('the diffusion source was switched off'));
    this.disposed = true;
    this.post({ type: 'close' });
    this.puppet.dispose();
    this.control.dispose();
  }
}

export const loadDiffusionSource = async (config: DiffusionConfig, context: LoadContext): Promise<LoadedSource> => {
  if (!isAdded('neural')) throw new AdditionMissing('neural'); // said at once, before a worker is started for nothing
  const source = new DiffusionSource(context.width, context.height, config, context);
  await source.start();
  return { source, provider: source.provider, onFailure: (failed) => source.onFailure(failed) };
};
