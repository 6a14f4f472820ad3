/** Server configuration: defaults that just work, overridden by env vars and CLI flags. */
import { z } from 'zod';
import { PersonaConfigSchema } from './persona-config.js';
import { FRAME_SOURCE_IDS } from './frame-source.js';

const EVEN_SIZE = 'must be even: video is encoded in 2×2 blocks';

export const ServerConfigSchema = z.object({
  /** Interface to bind; anything but loopback needs `token`. Env: PERSONA_HOST. */
  host: z.string().default('127.0.0.1'),
  /** TCP port; 0 picks a free one. Env: PERSONA_PORT. */
  port: z.number().int().min(0).max(65535).default(7860),
  /** Engine tick rate. Env: PERSONA_FPS. */
  fps: z.union([z.literal(30), z.literal(60)]).default(30),
  /**
   * Frame size in pixels, even: WebRTC video is I420, whose colour planes are half size, so an odd
   * size cannot be encoded (the video stayed black). `persona serve --size N` / PERSONA_SIZE sets both.
   */
  width: z.number().int().min(64).max(2048).multipleOf(2, EVEN_SIZE).default(512),
  height: z.number().int().min(64).max(2048).multipleOf(2, EVEN_SIZE).default(512),
  /** Character id from characters/. Env: PERSONA_CHARACTER. */
  character: z.string().default('aria'),
  /**
   * Sessions to serve at once, each a name and a character; the first is the default (bare /whep,
   * /ws and /api/* without ?session=). Unset: one session "default" with `character`. A session's
   * WHEP endpoint is /whep/<name>; its UI is /?session=<name>. Chat history is kept per character.
   * Env: PERSONA_SESSIONS ("name=character,name=character").
   */
  sessions: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a session name is 1–32 characters: lowercase letters, digits, "-" or "_"'),
        character: z.string(),
      }),
    )
    .min(1)
    .optional(),
  /**
   * Frame source at start: `puppet` (the 2.5D character, transparent background), `control` (OpenPose
   * BODY-18 skeleton on black) or `diffusion` (neural frames on ONNX Runtime: needs `persona add neural`
   * and a model set in PERSONA_MODELS_DIR; the puppet shows while it loads or when it cannot). Switch at
   * run time with POST /api/source or the UI. Env: PERSONA_SOURCE.
   */
  source: z.enum(FRAME_SOURCE_IDS).default('puppet'),
  /** Speak replies aloud with the character's voice (the embedded espeak-ng voice; where it is missing she stays silent and says why). Env: PERSONA_VOICE. */
  voice: z.enum(['on', 'off']).default('on'),
  /**
   * A remote voice instead of the embedded one: an OpenAI-compatible text-to-speech server, up to and
   * including /v1 (it is sent POST /audio/speech, answering raw PCM); mouth shapes are estimated from
   * the text and the sound. Env: PERSONA_VOICE_URL; its key: PERSONA_VOICE_API_KEY.
   */
  voiceUrl: z.url().optional(),
  /** Most WHEP viewers at once; more get 503. Env: PERSONA_MAX_VIEWERS. */
  maxViewers: z.number().int().min(1).max(100).default(10),
  /** Colour the persona is composed over for WebRTC (video has no alpha), [r, g, b]. Env: PERSONA_BACKGROUND (#rrggbb). */
  background: z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]).default([38, 42, 53]),
  /** Push the first session's stream to this WHIP ingest (LiveKit, Janus, OBS, Cloudflare); none by default. Env: PERSONA_WHIP_URL. */
  whipUrl: z.url().optional(),
  /** Bearer token for the WHIP ingest. Env: PERSONA_WHIP_TOKEN. */
  whipToken: z.string().optional(),
  /** Also measure each tick's CPU time, so the profiler shows how much of a slow tick was waiting for the CPU (~0.8 µs a tick). Env: PERSONA_PROFILE_CPU=1. */
  profileCpu: z.boolean().default(false),
  /**
   * Record the first session's input timeline (chat lines, directives, replies, spoken lines, each with
   * its engine tick) to this JSONL file from the start; `persona replay FILE` renders it. Env: PERSONA_RECORD.
   */
  record: z.string().min(1).max(4096).optional(),
  /** Bearer token required when binding beyond loopback. Env: PERSONA_TOKEN. */
  token: z.string().min(16).optional(),
  /** The conversation layer: interpreter provider, LLM endpoint or model file, data dir. See persona-config.ts. */
  persona: PersonaConfigSchema.prefault({}),
});

export type ServerConfig = z.infer<typeof ServerConfigSchema>;
