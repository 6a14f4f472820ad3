import { afterAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  createEmbeddedVoice,
  espeakLibrary,
  NO_VOICE_REASON,
  voiceAvailability,
  type EmbeddedVoice,
  type EmbeddedVoiceChunk,
  type EmbeddedVoiceEnd,
  type EmbeddedVoiceSettings,
} from '../index.js';
import { createPhonemeVoice, voiceOf } from '../../persona/voice.js';
import { getCharacter } from '../../characters/index.js';
import type { MouthEvent } from '../../protocol/voice.js';

const TEXT = 'Hello, I am Aria. Fine velvet bumps, and maybe a pie.';
const LONG = Array.from({ length: 30 }, (_, i) => `This is sentence number ${i + 1}, spoken slowly and at length so that it takes a while.`).join(' ');

const voice: EmbeddedVoice = createEmbeddedVoice();
afterAll(() => voice.dispose());

const speak = (text: string, settings: EmbeddedVoiceSettings = { voice: 'en-us+f3' }, v = voice) =>
  new Promise<{ chunks: EmbeddedVoiceChunk[]; end: EmbeddedVoiceEnd; pcm: Int16Array }>((resolve) => {
    const chunks: EmbeddedVoiceChunk[] = [];
    v.speak(text, settings, (c) => chunks.push(c), (end) => {
      const pcm = new Int16Array(chunks.reduce((n, c) => n + c.pcm.length, 0));
      let at = 0;
      for (const c of chunks) {
        pcm.set(c.pcm, at);
        at += c.pcm.length;
      }
      resolve({ chunks, end, pcm });
    });
  });

const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((s, v) => s + v * v, 0) / Math.max(1, pcm.length));

/** Short-window energy (10 ms): where sound starts after at least 60 ms of silence, and the silences. */
const voicedSegments = (pcm: Int16Array, sampleRate: number) => {
  const win = Math.round(sampleRate / 100);
  const db: number[] = [];
  for (let i = 0; i + win <= pcm.length; i += win) db.push(10 * Math.log10(rms(pcm.subarray(i, i + win)) ** 2 + 1e-9));
  const loud = db.map((d) => d > Math.max(...db) - 30);
  const onsets: number[] = [];
  const silences: [number, number][] = [];
  let quietFrom = 0;
  loud.forEach((on, k) => {
    if (!on) return;
    if (k - quietFrom >= 6 || (onsets.length === 0 && k === quietFrom)) {
      onsets.push(k * 10);
      if (k - quietFrom >= 6) silences.push([quietFrom * 10, k * 10]);
    }
    quietFrom = k + 1;
  });
  return { onsets, silences };
};

const shapeAt = (mouth: readonly MouthEvent[], atMs: number) => [...mouth].reverse().find((e) => e.atMs <= atMs)?.viseme ?? 'rest';

describe('the embedded voice (espeak-ng through the addon)', () => {
  it('is available here', () => {
    expect(voiceAvailability()).toEqual({ ok: true });
  });

  it('speaks: 22,050 Hz mono PCM with energy, contiguous buffers, and phoneme events inside the audio', async () => {
    const { chunks, end, pcm } = await speak(TEXT);
    expect(end).toMatchObject({ cancelled: false, error: '' });
    expect(end.totalSamples).toBe(pcm.length);
    expect(chunks[0]!.sampleRate).toBe(22050);
    let next = 0;
    for (const c of chunks) {
      expect(c.startSample).toBe(next);
      next += c.pcm.length;
    }
    const seconds = pcm.length / 22050;
    expect(seconds).toBeGreaterThan(2);
    expect(seconds).toBeLessThan(8);
    expect(rms(pcm)).toBeGreaterThan(500); // speech, not silence (full scale is 32767)
    const phonemes = chunks.flatMap((c) => c.marks.filter((m) => m.kind === 'phoneme'));
    expect(phonemes.length).toBeGreaterThan(30);
    const audioMs = seconds * 1000;
    let last = 0;
    for (const p of phonemes) {
      expect(p.atMs).toBeGreaterThanOrEqual(last);
      expect(p.atMs).toBeLessThanOrEqual(audioMs);
      last = p.atMs;
    }
    // espeak's ASCII mnemonics: "Hello" is h @ l oU, "bumps" has b … m p.
    expect(phonemes.slice(0, 4).map((p) => (p.kind === 'phoneme' ? p.phoneme : ''))).toEqual(['h', '@', 'l', 'oU']);
    const names = new Set(phonemes.map((p) => (p.kind === 'phoneme' ? p.phoneme : '')));
    for (const n of ['b', 'm', 'p', 'f', 'v']) expect(names).toContain(n);
    // Each phoneme event's buffer holds its audio position.
    for (const c of chunks)
      for (const m of c.marks) expect(m.atMs).toBeLessThanOrEqual(((c.startSample + c.pcm.length) / 22050) * 1000 + 1);
  });

  it('word events name their words (characters, not bytes)', async () => {
    const u = createPhonemeVoice({ synth: voice, availability: voiceAvailability() }).speak('Café naïve, bumps.', voiceOf(getCharacter('aria')));
    for await (const _ of u.chunks);
    await u.done;
    expect(u.words.map((w) => w.text)).toEqual(['Café', 'naïve', 'bumps']);
  });

  it('the mouth timeline matches the audio: a non-rest shape within ±60 ms of each voiced onset, rest in the silences', async () => {
    const seam = createPhonemeVoice({ synth: voice, availability: voiceAvailability() });
    const texts = [TEXT, 'Sure! I can wave, dance, or sit down. What would you like?', 'Bob made five fine maps; people paid.'];
    const offsets: number[] = [];
    for (const text of texts) {
      const u = seam.speak(text, voiceOf(getCharacter('aria')));
      const parts: Int16Array[] = [];
      for await (const c of u.chunks) parts.push(c.pcm);
      await u.done;
      const pcm = Int16Array.from(parts.flatMap((p) => Array.from(p)));
      const { onsets, silences } = voicedSegments(pcm, 22050);
      expect(onsets.length).toBeGreaterThan(0);
      for (const onset of onsets) {
        const nearest = u.mouth.filter((e) => e.viseme !== 'rest').map((e) => e.atMs - onset).sort((a, b) => Math.abs(a) - Math.abs(b))[0]!;
        offsets.push(nearest);
        expect(Math.abs(nearest), `${text}: onset at ${onset} ms; mouth ${JSON.stringify(u.mouth)}`).toBeLessThanOrEqual(60);
      }
      for (const [from, to] of silences) if (to - from >= 250) expect(shapeAt(u.mouth, (from + to) / 2), `${text}: silence ${from}–${to} ms`).toBe('rest');
      expect(u.mouth.at(-1)!.viseme).toBe('rest');
    }
    console.log(`mouth event − voiced onset, ms: ${offsets.join(' ')}`);
  });

  it('cancel() stops at once: no chunk after it, and the synthesis thread is free for the next utterance', async () => {
    const chunks: number[] = [];
    let afterCancel = 0;
    let cancelled = false;
    const ended = new Promise<EmbeddedVoiceEnd>((resolve) => {
      const u = voice.speak(LONG, { voice: 'en-us' }, (c) => {
        if (cancelled) afterCancel++;
        chunks.push(c.pcm.length);
        if (chunks.length === 3) {
          u.cancel();
          cancelled = true;
        }
      }, resolve);
    });
    const end = await ended;
    expect(end.cancelled).toBe(true);
    expect(afterCancel).toBe(0);
    expect(chunks).toHaveLength(3);
    // A long text takes espeak far longer than this to make; the next utterance starts at once.
    const t0 = performance.now();
    const next = await new Promise<number>((resolve) => {
      let first = -1;
      voice.speak('Next.', { voice: 'en-us' }, () => void (first < 0 && (first = performance.now() - t0)), () => resolve(first));
    });
    expect(next).toBeGreaterThanOrEqual(0);
    expect(next).toBeLessThan(100);
    const whole = performance.now();
    await speak(LONG, { voice: 'en-us' });
    console.log(`after cancel the next utterance's first audio came in ${next.toFixed(1)} ms; the whole long text takes ${(performance.now() - whole).toFixed(0)} ms to make`);
  });

  it('each character has its own voice; an unknown voice fails with a reason', async () => {
    const takes = await Promise.all(['aria', 'kai', 'mira'].map((id) => {
      const v = voiceOf(getCharacter(id));
      return speak('Nice to meet you.', { voice: v.name, rate: v.rate, pitch: v.pitch });
    }));
    for (const t of takes) {
      expect(t.end.error).toBe('');
      expect(rms(t.pcm)).toBeGreaterThan(500);
    }
    expect(new Set(takes.map((t) => rms(t.pcm).toFixed(1))).size).toBe(3); // three different voices
    const bad = await speak('Hello', { voice: 'xx-nonexistent+f9' });
    expect(bad.end.error).toMatch(/no voice "xx-nonexistent\+f9"/);
    expect(bad.pcm.length).toBe(0);
  });

  it('where libespeak-ng is missing: availability says so, and speaking fails cleanly', async () => {
    const saved = process.env.PERSONA_ESPEAK_LIB;
    process.env.PERSONA_ESPEAK_LIB = '/nonexistent/libespeak-ng.so.1';
    try {
      expect(espeakLibrary()).toBe('/nonexistent/libespeak-ng.so.1');
      const availability = voiceAvailability();
      expect(availability).toMatchObject({ ok: false, reason: NO_VOICE_REASON });
      expect(NO_VOICE_REASON).toMatch(/^no voice: install espeak-ng/);
      expect(() => createEmbeddedVoice()).toThrow(/no voice: install espeak-ng.*nonexistent/);
      const seam = createPhonemeVoice({ synth: null, availability });
      const u = seam.speak('Hello', voiceOf(getCharacter('aria')));
      await expect(u.done).rejects.toThrow(NO_VOICE_REASON);
    } finally {
      if (saved === undefined) delete process.env.PERSONA_ESPEAK_LIB;
      else process.env.PERSONA_ESPEAK_LIB = saved;
    }
    // A library that is not espeak-ng is refused by name, not called.
    expect(voiceAvailability('libc.so.6')).toMatchObject({ ok: false, detail: expect.stringContaining('espeak_Initialize') as string });
    expect(voiceAvailability()).toEqual({ ok: true });
  });

  it('an environment that ends mid-utterance (a worker thread) leaves the voice working for the rest', async () => {
    const addon = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/Release/persona_native.node');
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { Voice } = require(${JSON.stringify(addon)});
       const v = new Voice({ library: ${JSON.stringify(espeakLibrary())} });
       v.speak(${JSON.stringify(LONG)}, { voice: 'en-us' }, (m) => { if (m.type === 'chunk') parentPort.postMessage('speaking'); });`,
      { eval: true },
    );
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    await worker.terminate(); // its cleanup hook cancels; its TSFN goes away with it
    const { end, pcm } = await speak('Still here.');
    expect(end.error).toBe('');
    expect(rms(pcm)).toBeGreaterThan(500);
  });
});
