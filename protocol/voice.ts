/**
 * The voice seam (DESIGN.md §8): `speak(text, voice)` gives audio chunks and, on the same audio clock,
 * a timeline of mouth shapes and word boundaries; `cancel()` stops both. Implementations live in persona/
 * (the embedded espeak-ng voice, with the native synthesiser injected by app/) and, later, a remote one.
 */
import { z } from 'zod';
import { MOUTH_SHAPE_CHANNELS } from './conditioning.js';

/**
 * Mouth shapes: the puppet's mouth-shape channels (five vowels, `mbp` lips pressed for p/b/m, `fv` lower lip
 * to upper teeth for f/v; protocol/conditioning.ts) and `rest`, the closed, relaxed mouth between phrases.
 */
export const VISEMES = ['rest', ...MOUTH_SHAPE_CHANNELS] as const;
export type Viseme = (typeof VISEMES)[number];

/** How a character sounds. Declared once: character definitions and cards' `persona-engine.voice` use it. */
export const VoiceSpecSchema = z.object({
  language: z
    .string({ error: 'must be text' })
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/, 'must be a BCP 47 language tag such as "en-US" or "fr"')
    .describe('BCP 47 language tag of the voice, e.g. "en-US"'),
  name: z
    .string({ error: 'must be text' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}(\+[A-Za-z0-9_-]{1,20})?$/, 'must be a voice name such as "en-us", optionally with a variant ("en-us+f3"): letters, digits, "-" or "_"')
    .describe('the voice: for the embedded voice an espeak-ng voice name, optionally with a variant ("en-us+f3"; `espeak-ng --voices` lists them)'),
  rate: z.number({ error: 'must be a number' }).min(80).max(450).describe('speaking rate, words per minute, 80..450 (175 is espeak-ng’s normal)'),
  pitch: z.number({ error: 'must be a number' }).min(0).max(100).describe('base pitch, 0..100 (50 is the voice’s own)'),
});
export type VoiceSpec = z.infer<typeof VoiceSpecSchema>;

/** The voice a character gets when its definition names none. */
export const DEFAULT_VOICE: VoiceSpec = { language: 'en-US', name: 'en-us', rate: 175, pitch: 50 };

/**
 * A mouth shape starts forming at `atMs` (ms of the utterance's audio) and holds until the next event.
 * The first may be negative (down to about −60 ms): lips that form before the first sample is heard.
 */
export interface MouthEvent {
  atMs: number;
  viseme: Viseme;
  /** How far the mouth goes into the shape, 0..1 (0 for `rest`). */
  weight: number;
}

/** A word starts being heard at `atMs`. */
export interface WordMark {
  atMs: number;
  text: string;
}

/** A run of mono 16-bit PCM; `atMs`: where its first sample lies on the utterance's audio clock. */
export interface AudioChunk {
  pcm: Int16Array;
  sampleRate: number;
  atMs: number;
}

/** How an utterance ended. */
export interface UtteranceEnd {
  /** Audio produced, ms (up to the cut when cancelled). */
  durationMs: number;
  cancelled: boolean;
}

export interface Utterance {
  /** The audio, in order, as it is synthesised (one consumer). Ends after the last chunk, or at once on cancel(). */
  readonly chunks: AsyncIterable<AudioChunk>;
  /**
   * The mouth timeline, in time order. It grows as audio is synthesised (far ahead of real time): events are
   * added once final, ~150 ms behind the newest phoneme (coarticulation looks ahead); complete when `done` settles.
   */
  readonly mouth: readonly MouthEvent[];
  /** Word boundaries, in time order; grows like `mouth`. */
  readonly words: readonly WordMark[];
  /** Settles once: the utterance was spoken to the end or cancelled; rejects when the voice failed. */
  readonly done: Promise<UtteranceEnd>;
  /** Stops the audio and the mouth together: no chunk is delivered after this returns. Idempotent. */
  cancel(): void;
}

/** Whether a voice can speak here; when it cannot, `reason` is the one line to show (log, /api/health, UI). */
export type VoiceAvailability = { ok: true } | { ok: false; reason: string; detail?: string };

export interface Voice {
  /** `embedded` (espeak-ng) or a remote provider's id. */
  readonly id: string;
  availability(): VoiceAvailability;
  /** Starts speaking at once; never blocks on synthesis. When the voice is unavailable, `done` rejects with the reason. */
  speak(text: string, voice: VoiceSpec): Utterance;
  /** Cancels every utterance and releases the synthesiser. */
  dispose(): void;
}

/** An event of a phoneme synthesiser on the utterance's audio time (ms). Text positions count characters from 1. */
export type SynthMark =
  | { kind: 'phoneme'; atMs: number; phoneme: string }
  | { kind: 'word' | 'sentence' | 'end'; atMs: number; textPosition: number; length: number };

/** One buffer of synthesised speech (mono 16-bit PCM) and the events that fell in it. */
export interface SynthChunk {
  pcm: Int16Array;
  /** Its first sample's index within the utterance. */
  startSample: number;
  sampleRate: number;
  marks: readonly SynthMark[];
}
