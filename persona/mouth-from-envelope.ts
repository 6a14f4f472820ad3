/**
 * Mouth shapes for audio that comes without timing (a remote voice): the text's vowel groups, placed over
 * the voiced stretches of the PCM's loudness envelope, `rest` in the silences. Pure; fed incrementally as
 * audio arrives, it only ever appends events that can no longer change.
 */
import type { MouthEvent, Viseme, WordMark } from '../protocol/voice.js';

/** One vowel group of the text (a syllable nucleus, roughly) and the word it belongs to. */
export interface VowelGroup {
  viseme: Viseme;
  /** Index of its word in the text (words: runs of letters, digits and apostrophes, straight or curly). */
  word: number;
  /** That word's text. */
  wordText: string;
}

const VOWELS = /[aeiouyàáâäãåæèéêëìíîïòóôöõøùúûüýÿœ]/;

/** A vowel group's spelling → its mouth shape (first match of the longest known spelling, else its first vowel). */
const DIGRAPHS: [string, Viseme][] = [
  ['oo', 'ou'], ['ou', 'ou'], ['ew', 'ou'], ['ue', 'ou'], ['ui', 'ou'],
  ['ee', 'ee'], ['ea', 'ee'], ['ie', 'ee'], ['ei', 'ee'], ['ey', 'ee'], ['ai', 'ee'], ['ay', 'ee'],
  ['oa', 'oh'], ['ow', 'oh'], ['oe', 'oh'], ['au', 'oh'], ['aw', 'oh'], ['oi', 'oh'], ['oy', 'oh'],
];
const SINGLE: Record<string, Viseme> = { a: 'aa', e: 'ee', i: 'ih', o: 'oh', u: 'ou', y: 'ih' };

const visemeOfSpelling = (group: string): Viseme => {
  for (const [spelling, viseme] of DIGRAPHS) if (group.startsWith(spelling)) return viseme;
  const base = group[0]!.normalize('NFD')[0]!;
  return SINGLE[base] ?? (base === 'æ' ? 'aa' : base === 'ø' || base === 'œ' ? 'ou' : 'aa');
};

/**
 * The text's vowel groups in reading order. A word's trailing silent `e` ("make") is not a group unless it
 * is the word's only one; a `y` at a word's start ("yes") is a consonant. Digits count as one group each.
 */
export const vowelGroups = (text: string): VowelGroup[] => {
  const groups: VowelGroup[] = [];
  const words = text.match(/[\p{L}\p{N}'’]+/gu) ?? [];
  words.forEach((word, index) => {
    const letters = word.toLowerCase().replace(/['’]/g, '');
    const found: Viseme[] = [];
    let i = 0;
    while (i < letters.length) {
      const c = letters[i]!;
      if (/\p{N}/u.test(c)) {
        found.push('ih');
        i++;
        continue;
      }
      if (!VOWELS.test(c) || (c === 'y' && i === 0)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < letters.length && VOWELS.test(letters[j]!)) j++;
      const spelling = letters.slice(i, j);
      const silentE = spelling === 'e' && j === letters.length && i > 0 && found.length > 0;
      if (!silentE) found.push(visemeOfSpelling(spelling));
      i = j;
    }
    if (found.length === 0 && letters.length) found.push('aa'); // "hmm", "shh", a lone consonant: still one beat
    for (const viseme of found) groups.push({ viseme, word: index, wordText: word });
  });
  return groups;
};

export interface EnvelopeMouthOptions {
  /** RMS window, ms (10). */
  windowMs?: number;
  /** A window is voiced when its RMS is above this fraction of the running peak (0.12)… */
  voicedFraction?: number;
  /** …and above this absolute RMS, 16-bit units (250), so hiss in a silent stream stays silent. */
  floorRms?: number;
  /** A quiet run at least this long is a silence (the mouth rests); a shorter one splits syllables (70 ms). */
  minGapMs?: number;
  /** A syllable that lasts longer than this makes way for the next vowel group (260 ms). */
  maxSyllableMs?: number;
}

/**
 * Tracks a PCM stream's envelope and appends the mouth events (and word marks) it makes final. Feed it
 * `push(pcm)` as audio arrives and `end()` once at the end (or at the cut, on cancel).
 */
export class EnvelopeMouth {
  readonly mouth: MouthEvent[] = [];
  readonly words: WordMark[] = [];
  private readonly windowSamples: number;
  private readonly windowMs: number;
  private readonly voicedFraction: number;
  private readonly floorRms: number;
  private readonly minGapWindows: number;
  private readonly maxSyllableWindows: number;
  private readonly groups: VowelGroup[];
  private nextGroup = 0;
  private lastWord = -1;
  private pending: number[] = [];
  private window = 0;
  private peak = 0;
  /** Window where the current voiced stretch started its current syllable, or -1 outside a stretch. */
  private syllableStart = -1;
  /** Consecutive quiet windows since the last voiced one (within a stretch), and where they began. */
  private quiet = 0;
  private quietStart = 0;
  private ended = false;

  constructor(text: string, private readonly sampleRate: number, options: EnvelopeMouthOptions = {}) {
    this.windowMs = options.windowMs ?? 10;
    this.windowSamples = Math.max(1, Math.round((sampleRate * this.windowMs) / 1000));
    this.voicedFraction = options.voicedFraction ?? 0.12;
    this.floorRms = options.floorRms ?? 250;
    this.minGapWindows = Math.max(1, Math.round((options.minGapMs ?? 70) / this.windowMs));
    this.maxSyllableWindows = Math.max(1, Math.round((options.maxSyllableMs ?? 260) / this.windowMs));
    this.groups = vowelGroups(text);
  }

  /** Adds audio; appends the events it made final. */
  push(pcm: Int16Array): void {
    if (this.ended) return;
    for (let i = 0; i < pcm.length; i++) {
      this.pending.push(pcm[i]!);
      if (this.pending.length === this.windowSamples) {
        this.step(this.pending);
        this.pending = [];
      }
    }
  }

  /** The audio ended (or was cut) after `totalSamples` samples: closes the mouth there. Idempotent. */
  end(totalSamples?: number): void {
    if (this.ended) return;
    if (this.pending.length) this.step(this.pending);
    this.pending = [];
    this.ended = true;
    const endMs = ((totalSamples ?? this.window * this.windowSamples) / this.sampleRate) * 1000;
    if (this.mouth.length === 0) return this.emit(0, 'rest', 0);
    const at = this.syllableStart >= 0 && this.quiet > 0 ? this.msOf(this.quietStart) : endMs;
    this.emit(Math.min(at, endMs), 'rest', 0);
  }

  private msOf(window: number): number {
    return (window * this.windowSamples * 1000) / this.sampleRate;
  }

  private emit(atMs: number, viseme: Viseme, weight: number): void {
    const last = this.mouth[this.mouth.length - 1];
    if (last?.viseme === viseme) return;
    const at = Math.max(Math.round(atMs * 10) / 10, last?.atMs ?? 0);
    this.mouth.push({ atMs: at, viseme, weight: Math.round(weight * 100) / 100 });
  }

  /** Starts the next syllable at `window` with the next vowel group (the last one holds if the text runs out). */
  private startSyllable(window: number, rms: number): void {
    this.syllableStart = window;
    const group = this.groups[Math.min(this.nextGroup, this.groups.length - 1)];
    this.nextGroup++;
    const atMs = this.msOf(window);
    if (group && group.word !== this.lastWord && this.nextGroup <= this.groups.length) {
      this.lastWord = group.word;
      this.words.push({ atMs: Math.round(atMs * 10) / 10, text: group.wordText });
    }
    const weight = Math.min(1, Math.max(0.35, Math.sqrt(rms / Math.max(this.peak, 1))));
    this.emit(atMs, group?.viseme ?? 'aa', weight);
  }

  private step(samples: readonly number[]): void {
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    this.peak = Math.max(rms, this.peak * 0.999);
    const voiced = rms >= this.floorRms && rms >= this.voicedFraction * this.peak;
    const w = this.window++;
    if (voiced) {
      if (this.syllableStart < 0) this.startSyllable(w, rms);
      else if (this.quiet > 0 || w - this.syllableStart >= this.maxSyllableWindows) this.startSyllable(w, rms);
      this.quiet = 0;
    } else if (this.syllableStart >= 0) {
      if (this.quiet++ === 0) this.quietStart = w;
      if (this.quiet >= this.minGapWindows) {
        this.emit(this.msOf(this.quietStart), 'rest', 0);
        this.syllableStart = -1;
        this.quiet = 0;
      }
    } else if (this.mouth.length === 0) {
      this.emit(0, 'rest', 0);
    }
  }
}
