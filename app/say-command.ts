/**
 * `persona say "text" --out speech.wav [--timeline mouth.json] [--character ID]`: the embedded voice
 * (espeak-ng through the native addon) speaks a line into a WAV file, with the mouth timeline it drives.
 * Also where app/ puts the voice seam together: the native synthesiser injected into persona's voice.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createEmbeddedVoice, voiceAvailability } from '../native/index.js';
import { createPhonemeVoice, voiceOf } from '../persona/voice.js';
import type { Voice } from '../protocol/voice.js';
import { resolveCharacter } from './resolve-character.js';

export const SAY_HELP = `persona say "<text>" — speak a line with the character's voice into a WAV file (espeak-ng, no network)

  --out FILE       the WAV to write: 22,050 Hz, mono, 16-bit PCM (default speech.wav)
  --timeline FILE  also write the mouth timeline and the words as JSON: { durationMs, sampleRate, voice,
                   mouth: [{ atMs, viseme, weight }], words: [{ atMs, text }] }, times in ms of the audio
  --character ID   whose voice (default aria)

Needs espeak-ng (Debian: apt-get install espeak-ng); PERSONA_ESPEAK_LIB names another libespeak-ng.`;

/** The embedded voice for the app: the native espeak-ng synthesiser behind persona's voice seam (or its absence, with the reason). */
export const createAppVoice = (): Voice => {
  const availability = voiceAvailability();
  return createPhonemeVoice({ synth: availability.ok ? createEmbeddedVoice() : null, availability });
};

/** A WAV file (RIFF, PCM) of mono 16-bit samples. */
export const wavFile = (pcm: Int16Array, sampleRate: number): Buffer => {
  const data = pcm.length * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data, 40);
  const body = Buffer.alloc(data);
  for (let i = 0; i < pcm.length; i++) body.writeInt16LE(pcm[i]!, i * 2);
  return Buffer.concat([header, body]);
};

export const say = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    options: { out: { type: 'string' }, timeline: { type: 'string' }, character: { type: 'string' } },
    allowPositionals: true,
  });
  const text = positionals.join(' ').trim();
  if (!text) throw new Error('give a line to say, e.g. persona say "Hello there" --out hello.wav');
  const character = resolveCharacter(values.character ?? 'aria', process.env.PERSONA_DATA_DIR);
  const out = values.out ?? 'speech.wav';
  const voice = createAppVoice();
  const availability = voice.availability();
  if (!availability.ok) throw new Error(`${availability.reason}${availability.detail ? ` (${availability.detail})` : ''}`);
  try {
    const spec = voiceOf(character);
    const utterance = voice.speak(text, spec);
    const chunks: Int16Array[] = [];
    let sampleRate = 22050;
    for await (const chunk of utterance.chunks) {
      chunks.push(chunk.pcm);
      sampleRate = chunk.sampleRate;
    }
    const end = await utterance.done;
    const pcm = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      pcm.set(c, at);
      at += c.length;
    }
    await writeFile(out, wavFile(pcm, sampleRate));
    if (values.timeline) {
      const timeline = { text, durationMs: Math.round(end.durationMs), sampleRate, voice: spec, mouth: utterance.mouth, words: utterance.words };
      await writeFile(values.timeline, `${JSON.stringify(timeline, null, 2)}\n`);
    }
    const seconds = (pcm.length / sampleRate).toFixed(2);
    console.log(`wrote ${out}: ${seconds} s of ${character.name}'s voice (${spec.name})${values.timeline ? `; ${values.timeline}: ${utterance.mouth.length} mouth events, ${utterance.words.length} words` : ''}`);
    return 0;
  } finally {
    voice.dispose();
  }
};
