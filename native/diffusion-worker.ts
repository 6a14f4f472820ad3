/**
 * The diffusion worker thread: loads onnxruntime-node and the model set, then turns each
 * { control, init } pair of RGBA frames it is sent into a neural RGBA frame. One message at a time
 * (the main side never sends a frame before the previous answer), so runs never queue up here.
 */
import { parentPort } from 'node:worker_threads';
import { importOnnxRuntime } from './diffusion-models.js';
import { DiffusionPipeline, type PipelineOptions } from './diffusion-pipeline.js';

export type ToWorker =
  | { type: 'load'; options: PipelineOptions; prompt: string; reference: ArrayBuffer | null }
  | { type: 'prompt'; prompt: string }
  | { type: 'frame'; id: number; control: ArrayBuffer; init: ArrayBuffer }
  /** Finish the run in progress, release the models, end the thread (terminating it mid-run aborts the process inside onnxruntime). */
  | { type: 'close' };

export type FromWorker =
  | { type: 'progress'; fraction: number; stage: string }
  | { type: 'loaded'; provider: string; latentShape: number[] }
  | { type: 'load-error'; message: string }
  | { type: 'frame'; id: number; rgba: ArrayBuffer | null; ms: number }
  | { type: 'frame-error'; id: number; message: string };

const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
let pipeline: DiffusionPipeline | null = null;
let busy = false;
let closing = false;
const shutdown = async () => {
  await pipeline?.release().catch(() => undefined);
  pipeline = null;
  process.exit(0); // in a worker: ends this thread only
};

port.on('message', async (message: ToWorker) => {
  if (message.type === 'close') {
    closing = true;
    if (!busy) await shutdown();
  } else if (message.type === 'load') {
    try {
      const ort = await importOnnxRuntime();
      pipeline = await DiffusionPipeline.load(ort, message.options, (fraction, stage) => post({ type: 'progress', fraction, stage }));
      post({ type: 'progress', fraction: 0.97, stage: 'encoding the prompt' });
      await pipeline.setPrompt(message.prompt);
      if (message.reference) await pipeline.setReference(new Uint8Array(message.reference));
      post({ type: 'loaded', provider: pipeline.provider, latentShape: pipeline.latentShape });
    } catch (error) {
      post({ type: 'load-error', message: (error as Error).message });
    }
  } else if (message.type === 'prompt') {
    await pipeline?.setPrompt(message.prompt).catch((error: Error) => post({ type: 'frame-error', id: -1, message: `prompt: ${error.message}` }));
  } else if (message.type === 'frame') {
    const started = performance.now();
    busy = true;
    try {
      if (!pipeline) throw new Error('the pipeline is not loaded');
      const out = await pipeline.run(new Uint8Array(message.control), new Uint8Array(message.init));
      const rgba = out ? (out.rgba.buffer as ArrayBuffer) : null;
      post({ type: 'frame', id: message.id, rgba, ms: performance.now() - started }, rgba ? [rgba] : []);
    } catch (error) {
      post({ type: 'frame-error', id: message.id, message: (error as Error).message.split('\n')[0]! });
    }
    busy = false;
    if (closing) await shutdown();
  }
});
