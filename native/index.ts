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

/** An RGBA colour, straight alpha, each channel 0..1. */
export type DisplayColour = [number, number, number, number];

interface DisplayPaint {
  fill: DisplayColour;
  /** Cel-shadow colour on the side away from the light (used when `shaded`). */
  shadow: DisplayColour;
  outline: DisplayColour;
  /** Outline width in pixels, inside the shape's edge; 0: none. */
  outlineWidth: number;
  /** false: flat fill. */
  shaded: boolean;
  /** Larger is nearer the viewer; the list comes sorted back to front. */
  depth: number;
}

/** One primitive of the puppet's display list, in pixels (y down), as the rasterizer draws it. */
export type DisplayPrimitive = DisplayPaint &
  (
    | { shape: 'capsule'; ax: number; ay: number; bx: number; by: number; ra: number; rb: number }
    | { shape: 'ellipse'; cx: number; cy: number; rx: number; ry: number; angle: number }
    | { shape: 'polygon'; points: number[] }
  );

interface NativeBinding {
  PuppetSource: new (options: { width: number; height: number }) => {
    configure(look: Look): void;
    fill(conditioning: Float32Array, buffer: Uint8Array): Promise<FillResult>;
    stats(): FrameSourceStats;
    dispose(): void;
    displayList(conditioning: Float32Array): DisplayPrimitive[];
  };
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

  /**
   * The display list fill() would rasterize for `conditioning`, back to front. Synchronous, on the
   * calling thread: for tools and tests (e.g. drawing the same list with Skia), not for the tick.
   */
  displayList(conditioning: Float32Array): DisplayPrimitive[] {
    return this.native.displayList(conditioning);
  }

  dispose(): void {
    this.native.dispose();
  }
}

/** A conditioning vector of the right length, zeroed (rest pose, neutral face). */
export const createConditioning = (): Float32Array => new Float32Array(CONDITIONING.length);
