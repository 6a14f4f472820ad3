/**
 * The embedded voice behind the voice seam (protocol/voice.ts): a phoneme synthesiser (espeak-ng through
 * the native addon, injected by app/ since persona/ may not import native/) turned into audio chunks, a
 * mouth timeline (visemes-from-phonemes.ts) and word boundaries, all on the utterance's audio clock.
 */
import type { CharacterDefinition } from '../characters/types.js';
import {
  DEFAULT_VOICE,
  type MouthEvent,
  type SynthChunk,
  type SynthMark,
  type Utterance,
  type UtteranceEnd,
  type Voice,
  type VoiceAvailability,
  type VoiceSpec,
  type WordMark,
} from '../protocol/voice.js';
import { visemesFromPhonemes, type PhonemeMark, type VisemeOptions } from './visemes-from-phonemes.js';
import { ChunkQueue } from './chunk-queue.js';

export interface SynthEnd {
  cancelled: boolean;
  /** '' unless the synthesiser failed. */
  error: string;
  totalSamples: number;
}

/** What the embedded voice needs from a phoneme synthesiser; native/index.ts's EmbeddedVoice is one. */
export interface PhonemeSynth {
  speak(
    text: string,
    settings: { voice: string; rate: number; pitch: number },
    onChunk: (chunk: SynthChunk) => void,
    onEnd: (end: SynthEnd) => void,
  ): { cancel(): void };
  dispose(): void;
}

/** The voice a character speaks with (its definition's, else the default). */
export const voiceOf = (character: Pick<CharacterDefinition, 'voice'>): VoiceSpec => character.voice ?? DEFAULT_VOICE;

/** Mouth events closer than this to the newest phoneme may still change; they wait. */
const LOOKAHEAD_MS = 150;

export interface PhonemeVoiceOptions {
  /** The synthesiser, or null where it is missing (then every utterance fails with `availability`'s reason). */
  synth: PhonemeSynth | null;
  availability: VoiceAvailability;
  visemes?: VisemeOptions;
}

/** The embedded voice: `speak()` starts synthesis at once and returns the utterance's streams. */
export const createPhonemeVoice = (options: PhonemeVoiceOptions): Voice => {
  const live = new Set<Utterance>();
  let disposed = false;

  const speak = (text: string, voice: VoiceSpec): Utterance => {
    const queue = new ChunkQueue();
    const mouth: MouthEvent[] = [];
    const words: WordMark[] = [];
    const phonemes: PhonemeMark[] = [];
    const characters = Array.from(text); // espeak counts characters (code points), from 1
    let sampleRate = 22050;
    let samples = 0;
    let finished = false;
    let settle!: { resolve: (end: UtteranceEnd) => void; reject: (error: Error) => void };
    const done = new Promise<UtteranceEnd>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {}); // a failure nobody awaits is not an unhandled rejection; awaiting it still throws

    const audioMs = () => (samples / sampleRate) * 1000;
    /**
     * Appends the mouth events that can no longer change (all of them when `final`). Until the end, only the
     * phonemes whose successor is known are planned (a phoneme's length shapes its events), and events near
     * the newest phoneme wait: coarticulation looks that far ahead.
     */
    const commitMouth = (final: boolean) => {
      const known = final ? phonemes : phonemes.slice(0, -1);
      const horizon = final ? audioMs() : (phonemes[phonemes.length - 1]?.atMs ?? 0);
      if (!final && known.length === 0) return;
      const planned = visemesFromPhonemes(known, horizon, options.visemes);
      const last = mouth[mouth.length - 1];
      const fresh = last ? planned.filter((e) => e.atMs > last.atMs) : planned;
      for (const e of fresh) {
        if (!final && e.atMs >= horizon - LOOKAHEAD_MS) break;
        const newest = mouth[mouth.length - 1];
        if (newest && newest.viseme === e.viseme && newest.weight === e.weight) continue;
        mouth.push(e);
      }
    };
    const finish = (end: UtteranceEnd | Error) => {
      if (finished) return;
      finished = true;
      live.delete(utterance);
      if (end instanceof Error) {
        queue.end(true, end);
        settle.reject(end);
        return;
      }
      queue.end(end.cancelled);
      settle.resolve(end);
    };

    let handle: { cancel(): void } | null = null;
    const utterance: Utterance = {
      chunks: queue,
      mouth,
      words,
      done,
      cancel: () => {
        if (finished) return;
        handle?.cancel();
        // What was heard keeps its mouth; the mouth closes where the sound stops.
        commitMouth(true);
        const cut = Math.round(audioMs());
        while (mouth.length && mouth[mouth.length - 1]!.atMs > cut) mouth.pop();
        if (mouth.length && mouth[mouth.length - 1]!.viseme !== 'rest') mouth.push({ atMs: cut, viseme: 'rest', weight: 0 });
        finish({ durationMs: audioMs(), cancelled: true });
      },
    };

    if (disposed || !options.synth || !options.availability.ok) {
      const reason = disposed ? 'this voice was disposed' : options.availability.ok ? 'no synthesiser' : options.availability.reason;
      finish(new Error(reason));
      return utterance;
    }
    live.add(utterance);
    const synth = options.synth;
    try {
      handle = synth.speak(
      text,
      { voice: voice.name || voice.language.toLowerCase(), rate: voice.rate, pitch: voice.pitch },
      (chunk) => {
        if (finished) return;
        sampleRate = chunk.sampleRate;
        for (const mark of chunk.marks) {
          if (mark.kind === 'phoneme') phonemes.push({ atMs: mark.atMs, name: mark.phoneme });
          else if (mark.kind === 'word' && mark.length > 0) {
            const word = characters.slice(mark.textPosition - 1, mark.textPosition - 1 + mark.length).join('');
            if (word) words.push({ atMs: mark.atMs, text: word });
          }
        }
        samples = chunk.startSample + chunk.pcm.length;
        commitMouth(false);
        if (chunk.pcm.length) queue.push({ pcm: chunk.pcm, sampleRate: chunk.sampleRate, atMs: (chunk.startSample / chunk.sampleRate) * 1000 });
      },
      (end) => {
        if (finished) return;
        if (end.error) return finish(new Error(end.error));
        samples = end.totalSamples;
        commitMouth(true);
        finish({ durationMs: audioMs(), cancelled: end.cancelled });
      },
      );
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
    return utterance;
  };

  return {
    id: 'embedded',
    availability: () => options.availability,
    speak,
    dispose: () => {
      disposed = true;
      for (const u of [...live]) u.cancel();
      options.synth?.dispose();
    },
  };
};
