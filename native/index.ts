/**
 * The one module that loads the native addon. It exposes typed frame sources with dispose().
 * The addon is built by `npm run build:native` (cmake-js) into build/Release/.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { CONDITIONING } from '../protocol/conditioning.js';
import type { Look } from '../protocol/look.js';
import type { SynthChunk, SynthMark } from '../protocol/voice.js';

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

/** What the frame shows (the same camera for every source, so puppet and control line up). */
export const SHOTS = ['full_body', 'upper_body', 'head'] as const;
export type Shot = (typeof SHOTS)[number];

export interface FrameSourceOptions {
  /** full_body (default): the whole figure, standing still in frame; upper_body: hips up; head: a close-up. The closer shots follow the character down when it sits. */
  shot?: Shot;
}

/** OpenPose BODY-18 keypoint names, in COCO order ("right" is the character's right). */
export const OPENPOSE_KEYPOINTS = [
  'nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder', 'left_elbow', 'left_wrist',
  'right_hip', 'right_knee', 'right_ankle', 'left_hip', 'left_knee', 'left_ankle', 'right_eye', 'left_eye', 'right_ear', 'left_ear',
] as const;

export interface Keypoints {
  /** x, y in pixels and visible (1 or 0) per keypoint, in OPENPOSE_KEYPOINTS order. Face points are not visible when they face away. */
  pixels: Float32Array;
  /** The same keypoints in world metres: x right, y up, z toward the viewer. */
  world: Float32Array;
  /** The orthographic camera: pixel = (originX + x·scale, originY − y·scale). */
  camera: { scale: number; originX: number; originY: number };
}

interface NativeFrameSource {
  configure(look: Look): void;
  fill(conditioning: Float32Array, buffer: Uint8Array): Promise<FillResult>;
  stats(): FrameSourceStats;
  dispose(): void;
  displayList(conditioning: Float32Array): DisplayPrimitive[];
  keypoints(conditioning: Float32Array): Keypoints;
  mouthParted(conditioning: Float32Array): number;
}

/** What the addon's Voice sends back for one utterance: its buffers, then one 'done'. */
type NativeVoiceMessage =
  | { type: 'chunk'; pcm: Int16Array; startSample: number; sampleRate: number; sinceQueuedMs: number; marks: EmbeddedVoiceMark[] }
  | { type: 'done'; cancelled: boolean; error: string; totalSamples: number };

interface NativeVoice {
  speak(text: string, settings: { voice?: string; rate?: number; pitch?: number; volume?: number }, onMessage: (message: NativeVoiceMessage) => void): number;
  cancel(id?: number): void;
  dispose(): void;
}

interface NativeVoiceClass {
  new (options: { library: string }): NativeVoice;
  probe(library: string): string;
}

interface NativeBinding {
  FrameSource: new (options: { kind: 'puppet' | 'control'; width: number; height: number; shot?: Shot }) => NativeFrameSource;
  composeI420(rgba: Uint8Array, width: number, height: number, background: readonly [number, number, number], out: Uint8Array): Promise<void>;
  setWebrtcFieldTrials(moduleSuffix: string, trials: string): string;
  trimMalloc(): Promise<boolean>;
  threadCpuMs(): number;
  Voice: NativeVoiceClass;
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

/** What the native sources share: worker-thread fills into JS buffers, plus synchronous inspection. */
abstract class NativeSource implements FrameSource {
  abstract readonly kind: 'puppet' | 'control';
  private readonly native: NativeFrameSource;

  constructor(
    kind: 'puppet' | 'control',
    readonly width: number,
    readonly height: number,
    options: FrameSourceOptions = {},
  ) {
    this.native = new binding.FrameSource({ kind, width, height, shot: options.shot });
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

  /** OpenPose BODY-18 keypoints of the pose, by forward kinematics, in this source's framing. Synchronous. */
  keypoints(conditioning: Float32Array): Keypoints {
    return this.native.keypoints(conditioning);
  }

  /**
   * How far the puppet's face drawn for `conditioning` parts its lips over the mouth's inside, in head
   * radii: 0 shut (and for the teeth on the lip of f/v); the inside shows from 0.02 and is opaque from
   * 0.08, whichever shape opens it (a pout or a hiss barely does, a vowel does). Synchronous; what the
   * lip-sync bench reads of each published frame.
   */
  mouthParted(conditioning: Float32Array): number {
    return this.native.mouthParted(conditioning);
  }

  dispose(): void {
    this.native.dispose();
  }
}

/** The CPU 2.5D puppet renderer: the embedded default frame source (transparent background). */
export class PuppetSource extends NativeSource {
  readonly kind = 'puppet';
  constructor(width: number, height: number, options?: FrameSourceOptions) {
    super('puppet', width, height, options);
  }
}

/** OpenPose BODY-18 colour-coded skeleton on black from the same pose and framing, for ControlNet and debugging. */
export class ControlSource extends NativeSource {
  readonly kind = 'control';
  constructor(width: number, height: number, options?: FrameSourceOptions) {
    super('control', width, height, options);
  }
}

/** The frame sources a session can pick by name. */
export const FRAME_SOURCES = ['puppet', 'control'] as const;
export type FrameSourceName = (typeof FRAME_SOURCES)[number];

/** A native frame source by name; throws naming the choices for anything else. */
export const createFrameSource = (name: string, width: number, height: number, options?: FrameSourceOptions): PuppetSource | ControlSource => {
  if (name === 'puppet') return new PuppetSource(width, height, options);
  if (name === 'control') return new ControlSource(width, height, options);
  throw new Error(`unknown frame source "${name}"; available: ${FRAME_SOURCES.join(', ')}`);
};

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

/**
 * Sets libwebrtc's field trials (e.g. "WebRTC-Video-Pacing/factor:5/") inside the already loaded
 * @roamhq/wrtc addon, whose libwebrtc reads them as each peer connection is made; returns the
 * string libwebrtc now holds. Throws with the reason if wrtc is not loaded or lacks the symbols.
 */
export const setWebrtcFieldTrials = (trials: string, moduleSuffix = 'wrtc.node'): string => binding.setWebrtcFieldTrials(moduleSuffix, trials);

/** Returns the C heap's free pages to the system (malloc_trim) on a worker thread; resolves whether any were. */
export const trimMalloc = (): Promise<boolean> => binding.trimMalloc();


/** The calling thread's CPU time, ms (its own clock: compare two readings). */
export const threadCpuMs = (): number => binding.threadCpuMs();

/** An event of the embedded voice on the utterance's audio time (ms); text positions count characters from 1. */
export type EmbeddedVoiceMark = SynthMark;

/** One buffer of speech as espeak-ng made it (22,050 Hz), with the events that fell in it. */
export interface EmbeddedVoiceChunk extends SynthChunk {
  /** speak() called → this buffer ready on the synthesis thread, ms (measured in C++). */
  sinceQueuedMs: number;
}

export interface EmbeddedVoiceEnd {
  cancelled: boolean;
  /** '' unless synthesis failed (unknown voice, no espeak-ng-data). */
  error: string;
  totalSamples: number;
}

export interface EmbeddedVoiceSettings {
  /** An espeak-ng voice, a language, either with a variant: "en-us+f3", "en-gb+f2", "fr" (default "en-us"). */
  voice?: string;
  /** Words per minute, 80..450 (default 175). */
  rate?: number;
  /** 0..100 (default 50). */
  pitch?: number;
  /** 0..200 (default 100). */
  volume?: number;
}

/** espeak-ng through the addon: one synthesis thread for the process; speak() returns at once. */
export interface EmbeddedVoice {
  /** Queues `text`; its buffers reach `onChunk` in order, then `onEnd` once. After cancel() no chunk arrives. */
  speak(text: string, settings: EmbeddedVoiceSettings, onChunk: (chunk: EmbeddedVoiceChunk) => void, onEnd: (end: EmbeddedVoiceEnd) => void): { cancel(): void };
  /** Cancels every utterance of this voice. */
  cancel(): void;
  dispose(): void;
  [Symbol.dispose](): void;
}

/** The one line to show where there is no embedded voice. */
export const NO_VOICE_REASON = 'no voice: install espeak-ng (libespeak-ng1)';

export type VoiceAvailability = { ok: true } | { ok: false; reason: typeof NO_VOICE_REASON; detail: string };

/** The espeak-ng library the embedded voice opens: PERSONA_ESPEAK_LIB, else the platform's name for libespeak-ng. */
export const espeakLibrary = (): string =>
  process.env.PERSONA_ESPEAK_LIB || (process.platform === 'darwin' ? 'libespeak-ng.1.dylib' : 'libespeak-ng.so.1');

/** Whether the embedded voice can load here (dlopen and the functions it needs; fast, on this thread). */
export const voiceAvailability = (library = espeakLibrary()): VoiceAvailability => {
  const detail = binding.Voice.probe(library);
  return detail ? { ok: false, reason: NO_VOICE_REASON, detail } : { ok: true };
};

/** The embedded voice; throws NO_VOICE_REASON (with dlopen's words) where espeak-ng is missing. */
export const createEmbeddedVoice = (library = espeakLibrary()): EmbeddedVoice => {
  const availability = voiceAvailability(library);
  if (!availability.ok) throw new Error(`${availability.reason} (${availability.detail})`);
  let native: NativeVoice | null = new binding.Voice({ library });
  const live = new Set<() => void>();
  const dispose = () => {
    for (const cancel of [...live]) cancel();
    native?.dispose();
    native = null;
  };
  return {
    speak(text, settings, onChunk, onEnd) {
      if (!native) throw new Error('speak(): this voice was disposed');
      const voice = native;
      let open = true;
      let delivered = 0;
      const cancel = () => {
        if (!open) return;
        open = false; // nothing more reaches the caller, whatever the synthesis thread still sends
        live.delete(cancel);
        voice.cancel(id);
        onEnd({ cancelled: true, error: '', totalSamples: delivered });
      };
      const id = voice.speak(text, settings, (message) => {
        if (!open) return;
        if (message.type === 'chunk') {
          delivered = message.startSample + message.pcm.length;
          return onChunk(message);
        }
        open = false;
        live.delete(cancel);
        onEnd(message);
      });
      live.add(cancel);
      return { cancel };
    },
    cancel: () => {
      for (const cancel of [...live]) cancel();
    },
    dispose,
    [Symbol.dispose]: dispose,
  };
};
