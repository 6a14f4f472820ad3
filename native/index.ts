/**
 * The one module that loads the native addon. It exposes typed frame sources with dispose().
 * The addon is built by `npm run build:native` (cmake-js) into build/Release/.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { CONDITIONING } from '../protocol/conditioning.js';
import type { Look } from '../protocol/look.js';

export interface FillResult {
  /** Time the worker thread spent rendering, ms (measured in C++). */
  fillMs: number;
  /** Time the job waited for a worker thread, ms. */
  queueMs: number;
}

export interface FrameSourceStats {
  fills: number;
  meanFillMs: number;
  lastFillMs: number;
  lastQueueMs: number;
  inFlight: number;
  width: number;
  height: number;
}

/** What every frame source offers (DESIGN.md §6). */
export interface FrameSource {
  readonly kind: string;
  readonly width: number;
  readonly height: number;
  configure(look: Look): void;
  /** Renders `conditioning` into `buffer` on a worker thread; never blocks the caller. */
  fill(conditioning: Float32Array, buffer: Uint8Array): Promise<FillResult>;
  stats(): FrameSourceStats;
  dispose(): void;
}

interface NativeBinding {
  PuppetSource: new (options: { width: number; height: number }) => {
    configure(look: Look): void;
    fill(conditioning: Float32Array, buffer: Uint8Array): Promise<FillResult>;
    stats(): FrameSourceStats;
    dispose(): void;
  };
  composeI420(rgba: Uint8Array, width: number, height: number, background: readonly [number, number, number], out: Uint8Array): Promise<void>;
  layout: { jointCount: number; expressionCount: number; jointOffset: number; expressionOffset: number; handOffset: number; timeOffset: number; length: number };
}

const addonPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../build/Release/persona_native.node');

const loadBinding = (): NativeBinding => {
  try {
    return createRequire(import.meta.url)(addonPath) as NativeBinding;
  } catch (error) {
    throw new Error(`could not load the native addon at ${addonPath}: run \`npm run build:native\` (${(error as Error).message})`);
  }
};

const binding = loadBinding();

/** The layout the addon was compiled with; a test checks it against protocol's CONDITIONING. */
export const nativeLayout = binding.layout;

/** The CPU 2.5D puppet renderer: the embedded default frame source. */
export class PuppetSource implements FrameSource {
  readonly kind = 'puppet';
  private readonly native: InstanceType<NativeBinding['PuppetSource']>;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.native = new binding.PuppetSource({ width, height });
  }

  configure(look: Look): void {
    this.native.configure(look);
  }

  fill(conditioning: Float32Array, buffer: Uint8Array): Promise<FillResult> {
    return this.native.fill(conditioning, buffer);
  }

  stats(): FrameSourceStats {
    return this.native.stats();
  }

  dispose(): void {
    this.native.dispose();
  }
}

/**
 * Composes straight-alpha RGBA over a solid background and converts it to I420 (BT.601) for video
 * encoders, on a worker thread. `out` must hold width*height*3/2 bytes; width and height even.
 */
export const composeI420 = (
  rgba: Uint8Array,
  width: number,
  height: number,
  background: readonly [number, number, number],
  out: Uint8Array,
): Promise<void> => binding.composeI420(rgba, width, height, background, out);

/** A conditioning vector of the right length, zeroed (rest pose, neutral face). */
export const createConditioning = (): Float32Array => new Float32Array(CONDITIONING.length);
