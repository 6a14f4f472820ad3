import { describe, expect, it } from 'vitest';
import type { SynthChunk, SynthMark } from '../../protocol/voice.js';
import { createPhonemeVoice, voiceOf, type PhonemeSynth, type SynthEnd } from '../voice.js';
import { visemesFromPhonemes } from '../visemes-from-phonemes.js';
import { DEFAULT_VOICE, VoiceSpecSchema, type AudioChunk } from '../../protocol/voice.js';
import { CHARACTERS, getCharacter } from '../../characters/index.js';

const RATE = 22050;
const SPEC = { language: 'en-US', name: 'en-us+f3', rate: 175, pitch: 50 };

/**
 * A synthesiser double: a script of 20 ms buffers with phoneme and word marks, delivered on timers like the
 * native thread's messages, so the seam can be tested without espeak.
 */
const fakeSynth = (script: { phonemes: [number, string][]; words?: [number, number, number][]; ms: number }) => {
  const calls: { text: string; settings: unknown; cancelled: boolean }[] = [];
  let disposed = false;
  const synth: PhonemeSynth = {
    speak(text, settings, onChunk: (c: SynthChunk) => void, onEnd: (e: SynthEnd) => void) {
      const call = { text, settings, cancelled: false };
      calls.push(call);
      const perChunk = Math.round(RATE * 0.02);
      const total = Math.round((RATE * script.ms) / 1000);
      let sent = 0;
      const tick = () => {
        if (call.cancelled) return;
        if (sent >= total) return onEnd({ cancelled: false, error: '', totalSamples: total });
        const n = Math.min(perChunk, total - sent);
        const from = (sent / RATE) * 1000, to = ((sent + n) / RATE) * 1000;
        const marks: SynthMark[] = [
          ...(script.words ?? []).filter(([at]) => at >= from && at < to).map(([atMs, textPosition, length]) => ({ kind: 'word' as const, atMs, textPosition, length })),
          ...script.phonemes.filter(([at]) => at >= from && at < to).map(([atMs, phoneme]) => ({ kind: 'phoneme' as const, atMs, phoneme })),
        ];
        onChunk({ pcm: new Int16Array(n).fill(1000), startSample: sent, sampleRate: RATE, marks });
        sent += n;
        setTimeout(tick, 1);
      };
      setTimeout(tick, 1);
      return { cancel: () => void (call.cancelled = true) };
    },
    dispose: () => void (disposed = true),
  };
  return { synth, calls, disposed: () => disposed };
};

const HELLO: [number, string][] = [[11, 'h'], [62, '@'], [112, 'l'], [219, 'oU'], [436, '_:'], [586, '_'], [586, 'w'], [640, '3:'], [760, 'l'], [820, 'd'], [880, '_:'], [1000, '_']];

const collect = async (chunks: AsyncIterable<AudioChunk>) => {
  const out: AudioChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
};

describe('the voice seam (embedded voice over a phoneme synthesiser)', () => {
  it('streams the audio in order on its own clock, with the mouth timeline and the words', async () => {
    const { synth, calls } = fakeSynth({ phonemes: HELLO, words: [[0, 1, 5], [586, 8, 5]], ms: 1030 });
    const voice = createPhonemeVoice({ synth, availability: { ok: true } });
    const u = voice.speak('Hello, wörld!', SPEC);
    const chunks = await collect(u.chunks);
    const end = await u.done;
    expect(calls[0]!.settings).toEqual({ voice: 'en-us+f3', rate: 175, pitch: 50 });
    expect(end).toEqual({ durationMs: expect.closeTo(1030, 0) as number, cancelled: false });
    let at = 0;
    for (const c of chunks) {
      expect(c.sampleRate).toBe(RATE);
      expect(c.atMs).toBeCloseTo(at, 6);
      at += (c.pcm.length / RATE) * 1000;
    }
    expect(u.words).toEqual([{ atMs: 0, text: 'Hello' }, { atMs: 586, text: 'wörld' }]); // positions count characters, not bytes
    // The streamed timeline is the one the planner makes from the whole utterance.
    expect(u.mouth).toEqual(visemesFromPhonemes(HELLO.map(([atMs, name]) => ({ atMs, name })), end.durationMs));
    expect(u.mouth.at(-1)!.viseme).toBe('rest');
  });

  it('mouth events become final while the audio is still being made (look-ahead held back)', async () => {
    const { synth } = fakeSynth({ phonemes: HELLO, ms: 1030 });
    const u = createPhonemeVoice({ synth, availability: { ok: true } }).speak('Hello world', SPEC);
    const seen: number[] = [];
    for await (const c of u.chunks) {
      seen.push(u.mouth.length);
      // nothing committed lies within the look-ahead of the audio made so far
      const madeMs = c.atMs + (c.pcm.length / RATE) * 1000;
      for (const e of u.mouth) expect(e.atMs).toBeLessThan(madeMs);
    }
    expect(seen.some((n) => n > 0 && n < u.mouth.length)).toBe(true);
  });

  it('cancel() stops the chunks at once, closes the mouth at the cut and settles done as cancelled', async () => {
    const { synth, calls } = fakeSynth({ phonemes: HELLO, ms: 1030 });
    const u = createPhonemeVoice({ synth, availability: { ok: true } }).speak('Hello world', SPEC);
    const got: AudioChunk[] = [];
    for await (const c of u.chunks) {
      got.push(c);
      if (got.length === 10) u.cancel();
    }
    const end = await u.done;
    expect(got).toHaveLength(10);
    expect(calls[0]!.cancelled).toBe(true);
    expect(end.cancelled).toBe(true);
    expect(end.durationMs).toBeCloseTo(200, 0);
    expect(u.mouth.at(-1)).toMatchObject({ viseme: 'rest' });
    expect(u.mouth.at(-1)!.atMs).toBeLessThanOrEqual(200);
    u.cancel(); // idempotent
  });

  it('where the synthesiser is missing, speak() fails cleanly with the reason', async () => {
    const voice = createPhonemeVoice({ synth: null, availability: { ok: false, reason: 'no voice: install espeak-ng (libespeak-ng1)' } });
    expect(voice.availability()).toMatchObject({ ok: false });
    const u = voice.speak('Hello', SPEC);
    await expect(u.done).rejects.toThrow('no voice: install espeak-ng');
    await expect(collect(u.chunks)).rejects.toThrow('no voice: install espeak-ng');
    expect(u.mouth).toEqual([]);
  });

  it('a synthesiser error rejects done; dispose() cancels what is live and releases the synthesiser', async () => {
    const failing: PhonemeSynth = {
      speak: (_t, _s, _c, onEnd) => {
        setTimeout(() => onEnd({ cancelled: false, error: 'espeak-ng has no voice "xx"', totalSamples: 0 }), 1);
        return { cancel: () => {} };
      },
      dispose: () => {},
    };
    await expect(createPhonemeVoice({ synth: failing, availability: { ok: true } }).speak('hi', SPEC).done).rejects.toThrow('no voice "xx"');

    const { synth, disposed } = fakeSynth({ phonemes: HELLO, ms: 1030 });
    const voice = createPhonemeVoice({ synth, availability: { ok: true } });
    const u = voice.speak('Hello world', SPEC);
    voice.dispose();
    expect(disposed()).toBe(true);
    await expect(u.done).resolves.toMatchObject({ cancelled: true });
    await expect(voice.speak('again', SPEC).done).rejects.toThrow('disposed');
  });
});

describe('a voice per character', () => {
  it('each built-in character has a valid voice of its own; others get the default', () => {
    for (const c of CHARACTERS) expect(VoiceSpecSchema.safeParse(voiceOf(c)).success, c.id).toBe(true);
    const voices = ['aria', 'kai', 'mira'].map((id) => voiceOf(getCharacter(id)));
    expect(new Set(voices.map((v) => v.name)).size).toBe(3);
    expect(voiceOf({})).toEqual(DEFAULT_VOICE);
  });
});
