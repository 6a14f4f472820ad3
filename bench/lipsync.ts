/**
 * `lipsync_offset_ms`: measured on the published frames against the audio itself. A real-time
 * session speaks lines with the embedded voice through the Speaker; for each clause, the onset of
 * its first voiced segment is found in the PCM (the first 10 ms window above a quarter of the
 * clause's peak energy) and placed on the clock where the sound is due; the frame
 * that shows the mouth opening (the published frame, near the onset, where the mouth channels first
 * rise above 0.12 — lips visibly apart — after being shut) gives the video's time. Offset = frame −
 * audio (negative: the mouth opens before the sound, as animators and the references do).
 */
import { CONDITIONING, channelIndex } from '../protocol/conditioning.js';
import type { AudioChunk } from '../protocol/voice.js';
import { distribution, type Distribution } from '../engine/profiler.js';
import { getCharacter } from '../characters/index.js';
import { voiceOf } from '../persona/voice.js';
import { PersonaSession } from '../app/session.js';
import { Speaker } from '../app/speaker.js';
import { createAppVoice } from '../app/say-command.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MOUTH = (['aa', 'ih', 'ou', 'ee', 'oh'] as const).map((c) => CONDITIONING.expressionOffset + channelIndex(c));
const LINES = [
  'Hello there! It is so nice to see you again.',
  'Okay, watch this, I will wave at the camera.',
  'Well, a little dance, then.',
  'Oh no, I am sorry to hear that. Do you want to talk about it?',
  'Sure thing! Here we go.',
];

/** Onsets (ms into the clause) of its voiced segments, from the PCM. */
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
  const loud = Math.max(...energy) / 4;
  const onsets: number[] = [];
  let quiet = 6;
  for (let w = 0; w < energy.length; w++) {
    if (energy[w]! > loud) {
      if (quiet >= 6) onsets.push(w * 10);
      quiet = 0;
    } else quiet++;
  }
  return onsets;
};

export const measureLipSync = async (rounds: number): Promise<{ signed: Distribution | null; absolute: Distribution | null } | null> => {
  const voice = createAppVoice();
  if (!voice.availability().ok) return null;
  const session = new PersonaSession({ width: 256, height: 256 });
  session.start();
  const frames: { at: number; open: number }[] = [];
  session.onFrame((f) => frames.push({ at: session.now, open: Math.max(...MOUTH.map((i) => f.conditioning[i]!)) }));
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
    // The mouth's opening nearest this onset: the first frame above 0.12 (visibly apart) after a shut one.
    let best: number | null = null;
    for (let i = 2; i < frames.length; i++) {
      const f = frames[i]!;
      if (Math.abs(f.at - onset) > 150) continue;
      if (f.open > 0.12 && frames[i - 1]!.open <= 0.12 && frames[i - 2]!.open < 0.05 && (best === null || Math.abs(f.at - onset) < Math.abs(best - onset))) best = f.at;
    }
    if (best !== null) offsets.push(best - onset);
  }
  return { signed: distribution(offsets), absolute: distribution(offsets.map(Math.abs)) };
};
