/**
 * `lipsync_offset_ms`: measured on the published frames against the audio itself. A real-time
 * session speaks lines with the embedded voice through the Speaker; for each clause, the onset of
 * its first voiced segment is found in the PCM (the first 10 ms window that is voiced — periodic at a
 * pitch of 80–400 Hz, so the hiss of "s" or "sh" before a vowel is not taken for it — and within 20 dB
 * of the clause's peak, i.e. plainly heard: the soft start of a "w" counts, where a quarter of the peak
 * dated it 20 ms late) and placed on the clock where the sound is due; the frame
 * that shows the mouth opening (the published frame, near the onset, whose drawn lips part over the
 * mouth's inside — the renderer's own opening for that frame's conditioning, half-drawn or more —
 * after being shut) gives the video's time. Offset = frame − audio (negative: the mouth opens before
 * the sound, as animators and the references do).
 */
import type { AudioChunk } from '../protocol/voice.js';
import { distribution, type Distribution } from '../engine/profiler.js';
import { getCharacter } from '../characters/index.js';
import { voiceOf } from '../persona/voice.js';
import { PersonaSession } from '../app/session.js';
import { Speaker } from '../app/speaker.js';
import { createAppVoice } from '../app/say-command.js';
import { PuppetSource } from '../native/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Lips parted this far (head radii) draw the mouth's inside at half strength (it shows from 0.02, opaque from 0.08). */
const OPEN = 0.05;
const LINES = [
  'Hello there! It is so nice to see you again.',
  'Okay, watch this, I will wave at the camera.',
  'Well, a little dance, then.',
  'Oh no, I am sorry to hear that. Do you want to talk about it?',
  'Sure thing! Here we go.',
];

/** How periodic the 20 ms of `pcm` from `at` are: the best normalised autocorrelation at a pitch of 80–400 Hz. */
const periodicity = (pcm: number[], rate: number, at: number): number => {
  const frame = Math.round(rate * 0.02);
  let best = 0;
  for (let lag = Math.round(rate / 400); lag <= Math.round(rate / 80); lag++) {
    let c = 0, e0 = 0, e1 = 0;
    for (let k = at; k < at + frame && k + lag < pcm.length; k++) {
      c += pcm[k]! * pcm[k + lag]!;
      e0 += pcm[k]! * pcm[k]!;
      e1 += pcm[k + lag]! * pcm[k + lag]!;
    }
    best = Math.max(best, c / Math.sqrt(e0 * e1 + 1));
  }
  return best;
};

/** Onsets (ms into the clause) of its voiced segments, from the PCM: loud and periodic (a hiss is loud, not periodic). */
const voicedOnsets = (chunks: AudioChunk[]): number[] => {
  const rate = chunks[0]!.sampleRate;
  const pcm = chunks.flatMap((c) => Array.from(c.pcm));
  const win = Math.round(rate / 100);
  const energy: number[] = [];
  for (let i = 0; i + win <= pcm.length; i += win) {
    let e = 0;
    for (let k = i; k < i + win; k++) e += pcm[k]! * pcm[k]!;
    energy.push(Math.sqrt(e / win));
  }
  const loud = Math.max(...energy) / 10;
  const onsets: number[] = [];
  let quiet = 6;
  for (let w = 0; w < energy.length; w++) {
    if (energy[w]! > loud && periodicity(pcm, rate, w * win) >= 0.5) {
      if (quiet >= 6) onsets.push(w * 10);
      quiet = 0;
    } else quiet++;
  }
  return onsets;
};

export const measureLipSync = async (rounds: number): Promise<{ signed: Distribution | null; absolute: Distribution | null } | null> => {
  const voice = createAppVoice();
  if (!voice.availability().ok) return null;
  const source = new PuppetSource(256, 256);
  const session = new PersonaSession({ width: 256, height: 256, source });
  session.start();
  const frames: { at: number; open: number }[] = [];
  session.onFrame((f) => frames.push({ at: session.now, open: source.mouthParted(f.conditioning) }));
  const onsets: number[] = [];
  const speaker = new Speaker(session, voice, voiceOf(getCharacter('aria')), {
    audio: ({ text, startsInMs, chunks }) => {
      const start = session.now + startsInMs;
      // Each clause's first voiced onset: the mouth is shut before it, so its opening is unambiguous.
      // A clause that starts with closed lips (m, b, p) is left out: its first sound is meant to be heard with the mouth shut.
      if (/^\s*[mbp]/i.test(text)) return;
      const first = voicedOnsets(chunks)[0];
      if (first !== undefined) onsets.push(start + first);
    },
    stop: () => undefined,
  });
  await sleep(300);
  for (let r = 0; r < rounds; r++) {
    for (const line of LINES) {
      speaker.feed(line);
      speaker.end();
      await sleep(5000);
    }
  }
  session.stop();
  voice.dispose();
  const offsets: number[] = [];
  for (const onset of onsets) {
    // The mouth's opening nearest this onset: the first frame open after two shut ones.
    let best: number | null = null;
    for (let i = 2; i < frames.length; i++) {
      const f = frames[i]!;
      if (Math.abs(f.at - onset) > 150) continue;
      if (f.open >= OPEN && frames[i - 1]!.open < OPEN && frames[i - 2]!.open < OPEN && (best === null || Math.abs(f.at - onset) < Math.abs(best - onset))) best = f.at;
    }
    if (best !== null) offsets.push(best - onset);
  }
  return { signed: distribution(offsets), absolute: distribution(offsets.map(Math.abs)) };
};
