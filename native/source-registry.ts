/**
 * The frame-source registry (DESIGN.md §6): every source a session can show is an entry here with
 * an id, a label, a zod config schema (served as JSON Schema), the model files it needs, what it
 * requires, and an async `load(config)` that the source manager runs off the tick. Puppet and
 * control are entries like any other; `diffusion` imports its runtime only when it is loaded.
 */
import { z } from 'zod';
import type { Artifact, SourceInfo } from '../protocol/frame-source.js';
import type { Look } from '../protocol/look.js';
import { ControlSource, PuppetSource, SHOTS, type FrameSource } from './index.js';
import { DIFFUSION_ARTIFACTS, DiffusionConfigSchema, ONNXRUNTIME_PACKAGE } from './diffusion-models.js';

/** What a load gets besides the config: the session's frame size and look, and a progress callback. */
export interface LoadContext {
  width: number;
  height: number;
  look: Look;
  /** The data dir (engine cache, default models dir). */
  dataDir: string;
  /** 0..1 and a few words on what is happening (a TensorRT engine build takes minutes). */
  progress(fraction: number, stage: string): void;
}

/** A loaded source, and how it tells the manager it broke while running (the manager falls back to puppet). */
export interface LoadedSource {
  source: FrameSource;
  /** The ONNX Runtime execution provider, for neural sources. */
  provider?: string;
  /** Called by the manager once; the source calls `failed(reason)` at most once when it cannot go on. */
  onFailure?(failed: (reason: string) => void): void;
}

export interface FrameSourceEntry<Schema extends z.ZodType = z.ZodType> {
  id: string;
  label: string;
  description: string;
  config: Schema;
  artifacts: readonly Artifact[];
  requires: SourceInfo['requires'];
  load(config: z.output<Schema>, context: LoadContext): Promise<LoadedSource>;
}

const entry = <Schema extends z.ZodType>(e: FrameSourceEntry<Schema>): FrameSourceEntry => e as unknown as FrameSourceEntry;

const ShotConfigSchema = z.strictObject({
  shot: z.enum(SHOTS).default('full_body').describe('framing: full_body, upper_body (hips up) or head (a close-up)'),
});

export const FRAME_SOURCE_REGISTRY: readonly FrameSourceEntry[] = [
  entry({
    id: 'puppet',
    label: 'Puppet',
    description: 'The 2.5D character drawn on the CPU (transparent background). Always available; the fallback of every other source.',
    config: ShotConfigSchema,
    artifacts: [],
    requires: { package: null, gpu: 'none' },
    load: async ({ shot }, { width, height }) => ({ source: new PuppetSource(width, height, { shot }) }),
  }),
  entry({
    id: 'control',
    label: 'Pose (OpenPose)',
    description: 'The OpenPose BODY-18 skeleton of the same pose on black: the ControlNet conditioning image, for debugging.',
    config: ShotConfigSchema,
    artifacts: [],
    requires: { package: null, gpu: 'none' },
    load: async ({ shot }, { width, height }) => ({ source: new ControlSource(width, height, { shot }) }),
  }),
  entry({
    id: 'diffusion',
    label: 'Neural (diffusion)',
    description:
      'StreamDiffusion-style img2img on ONNX Runtime: the puppet frame as the init image, ControlNet OpenPose from the same pose, 1–4 turbo/LCM steps. TensorRT, then CUDA, then CPU. Needs `persona add neural` and a model set (docs/diffusion.md).',
    config: DiffusionConfigSchema,
    artifacts: DIFFUSION_ARTIFACTS,
    requires: { package: ONNXRUNTIME_PACKAGE, gpu: 'optional' },
    // The pipeline (and through it onnxruntime-node) is imported here, on first use, never at startup.
    load: async (config, context) => (await import('./diffusion-source.js')).loadDiffusionSource(config, context),
  }),
];

export const SOURCE_IDS = FRAME_SOURCE_REGISTRY.map((e) => e.id);

export const findSource = (id: string): FrameSourceEntry | undefined => FRAME_SOURCE_REGISTRY.find((e) => e.id === id);

/** The registry as JSON for programs and the UI: config schemas as JSON Schema (input side: defaults optional). */
export const describeSources = (): SourceInfo[] =>
  FRAME_SOURCE_REGISTRY.map((e) => ({
    id: e.id,
    label: e.label,
    description: e.description,
    configSchema: z.toJSONSchema(e.config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    artifacts: [...e.artifacts],
    requires: e.requires,
  }));

/** Parses a source's config, or throws one line naming each field and what it accepts. */
export const parseSourceConfig = (entry: FrameSourceEntry, config: unknown): Record<string, unknown> => {
  const parsed = entry.config.safeParse(config ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
  throw new Error(`bad settings for source "${entry.id}": ${problems.join('; ')}`);
};
