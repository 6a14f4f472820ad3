/**
 * `tts_first_audio_ms`: reply text available → first audio chunk ready, for the embedded voice (espeak-ng
 * through the addon, behind persona's voice seam), measured in JS: speak() called → its first chunk taken
 * from `chunks`. Each utterance runs to its end before the next starts (an idle voice, as when a reply begins).
 */
import { distribution, type Distribution } from '../engine/profiler.js';
import { getCharacter } from '../characters/index.js';
import { voiceOf } from '../persona/voice.js';
import { createAppVoice } from '../app/say-command.js';

/** First clauses of replies, as the speech layer hands them over while the LLM still streams. */
const CLAUSES = [
  'Hi there, nice to see you!',
  'Sure,',
  'Okay, watch this:',
  "I'm great, thanks for asking!",
  'That is wonderful news, congratulations!',
  "Oh no, I'm so sorry to hear that.",
  'Here I go,',
  'Hmm, let me think about that for a moment.',
];

/** The distribution over `n` utterances, ms; null where the embedded voice is missing. */
export const measureTtsFirstAudio = async (n: number): Promise<Distribution | null> => {
  const voice = createAppVoice();
  if (!voice.availability().ok) return null;
  const spec = voiceOf(getCharacter('aria'));
  const firstAudio = async (text: string): Promise<number> => {
    const t0 = performance.now();
    const utterance = voice.speak(text, spec);
    let ms = -1;
    for await (const _ of utterance.chunks) if (ms < 0) ms = performance.now() - t0;
    await utterance.done;
    return ms;
  };
  try {
    await firstAudio('Warming up.'); // the first utterance of a process loads espeak-ng's data
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(await firstAudio(CLAUSES[i % CLAUSES.length]!));
    return distribution(times.filter((t) => t >= 0));
  } finally {
    voice.dispose();
  }
};
