/**
 * The frame-source registry as programs and the UI see it: what each source is, what it needs, and
 * where a session's source stands (loading with progress, ready, or fallen back with the reason).
 * GET /api/sources answers a SourcesListing; POST /api/source takes a SetSourceRequest.
 */
import { z } from 'zod';

/** The registry's source ids (native/source-registry.ts has an entry for each; a test checks they agree). */
export const FRAME_SOURCE_IDS = ['puppet', 'control', 'diffusion'] as const;
export type FrameSourceId = (typeof FRAME_SOURCE_IDS)[number];

/** One model file a source needs, as its registry entry declares it. */
export const ArtifactSchema = z.object({
  /** Path relative to the models dir (PERSONA_MODELS_DIR), e.g. "unet/model.onnx". */
  path: z.string(),
  /** Expected size in bytes, or null when any export of the right signature will do. */
  bytes: z.number().int().nonnegative().nullable(),
  /** Expected sha256 (hex), or null when not pinned. */
  sha256: z.string().nullable(),
  /** Where the file comes from: a URL or how to export it. */
  origin: z.string(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

export const SourceRequirementsSchema = z.object({
  /** An npm package the source loads at run time (not part of the default install), and how to get it. */
  package: z.object({ name: z.string(), install: z.string() }).nullable(),
  /** 'none': runs on the CPU; 'optional': uses a GPU when there is one; 'required'. */
  gpu: z.enum(['none', 'optional', 'required']),
});

export const SourceInfoSchema = z.object({
  id: z.string(),
  label: z.string(),
  description: z.string(),
  /** The source's settings as JSON Schema (from its zod schema), for forms and programs. */
  configSchema: z.record(z.string(), z.unknown()),
  artifacts: z.array(ArtifactSchema),
  requires: SourceRequirementsSchema,
});
export type SourceInfo = z.infer<typeof SourceInfoSchema>;

export const SOURCE_STATES = ['loading', 'ready', 'failed'] as const;

/** Where a session's frame source stands. */
export const SourceStatusSchema = z.object({
  /** The source frames come from now. */
  active: z.string(),
  /** The settings it was loaded with. */
  config: z.record(z.string(), z.unknown()),
  /** 'loading': `requested` is being loaded (frames still come from `active`); 'failed': it could not be, `error` says why. */
  state: z.enum(SOURCE_STATES),
  /** The source last asked for (equals `active` once ready). */
  requested: z.string(),
  /** 0..1 and what is happening, while loading. */
  progress: z.object({ fraction: z.number(), stage: z.string() }).nullable(),
  /** Why the requested source is not active (load failed, or it failed while running and the session fell back). */
  error: z.string().nullable(),
  /** The ONNX Runtime execution provider a neural source runs on ('tensorrt', 'cuda', 'cpu'), else null. */
  provider: z.string().nullable(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;

export interface SourcesListing {
  sources: SourceInfo[];
  status: SourceStatus;
}

export const SetSourceRequestSchema = z.strictObject({
  id: z.string().min(1).max(64),
  /** The source's settings; validated against its schema (GET /api/sources lists them). */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type SetSourceRequest = z.infer<typeof SetSourceRequestSchema>;
