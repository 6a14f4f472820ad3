/**
 * A text-driven mouth track for when there is no voice yet: each letter of the dialogue holds its
 * mouth shape for SPEECH_MS_PER_CHAR (vowels open the mouth, consonants and spaces close it).
 */
import { SPEECH_MS_PER_CHAR } from '../../characters/behaviour-chart.js';
import type { MouthShapeChannel } from '../../protocol/conditioning.js';

/** The letters' shapes: the vowel channels of the mouth (protocol/conditioning.ts). */
export type Viseme = Exclude<MouthShapeChannel, 'mbp' | 'fv'>;

const VOWEL: Record<string, Viseme> = { a: 'aa', e: 'ee', i: 'ih', o: 'oh', u: 'ou', y: 'ih' };

/** The mouth shape `elapsedMs` into saying `text`, or null while the mouth is closed. */
export const visemeAt = (text: string, elapsedMs: number): Viseme | null => {
  const index = Math.floor(elapsedMs / SPEECH_MS_PER_CHAR);
  if (index < 0 || index >= text.length) return null;
  return VOWEL[text[index]!.toLowerCase()] ?? null;
};
