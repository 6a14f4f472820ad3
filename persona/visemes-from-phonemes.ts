/**
 * Phonemes on audio time → mouth shapes on audio time, with coarticulation:
 * - each shape starts forming `leadMs` (~60 ms) before its phoneme is heard, as lips do (TalkingHead and
 *   the speech-animation literature: the mouth leads the sound); the first shape after silence only
 *   `onsetLeadMs` (~40 ms) before, so the lips do not part visibly long before a phrase is heard — and
 *   a phrase opening on a voiceless fricative (s, sh, th, f, h) keeps that onset lead for its first voiced
 *   sound, the fricative itself shown with the jaw closed (sh a pout, s teeth together, f lip to teeth);
 * - closed lips (p, b, m) and lip-to-teeth (f, v) are never dropped, and the shape after them waits for the
 *   release: it starts forming at most `releaseLeadMs` before the next phoneme, so the lips are seen closed
 *   before a plosive bursts;
 * - every shape holds at least `minHoldMs` (~60 ms): a shorter one is pushed later when that does not make it
 *   late for its sound, else the weaker of the two gives way; equal neighbours merge;
 * - pauses of `restAfterMs` or more close the mouth (`rest`), shorter ones (between words) do not;
 *   diphthongs (aI, oU, eI…) glide: a second shape half-way through when there is time to hold both.
 * Phoneme names are espeak-ng's ASCII mnemonics (its default phoneme events: "@", "aI", "O:", "tS"…); names
 * this table lacks fall back by their first letter, so other languages still move the mouth sensibly.
 */
import type { MouthEvent, Viseme } from '../protocol/voice.js';

/** A phoneme as the synthesiser reports it: heard from `atMs` (ms of the utterance's audio). */
export interface PhonemeMark {
  atMs: number;
  name: string;
}

export interface VisemeOptions {
  /** How long before its sound a shape starts forming, ms (default 60). */
  leadMs?: number;
  /** How long before its sound the first shape after silence starts forming, ms (default 40). */
  onsetLeadMs?: number;
  /** The least time a shape holds before the next starts forming, ms (default 60). */
  minHoldMs?: number;
  /** How long before the release of p/b/m/f/v the next shape may start forming, ms (default 20). */
  releaseLeadMs?: number;
  /** A pause at least this long closes the mouth, ms (default 120). */
  restAfterMs?: number;
}

type Shape =
  | { kind: 'pause' }
  | { kind: 'skip' }
  | { kind: 'lips'; viseme: 'mbp' | 'fv' }
  | { kind: 'sound'; viseme: Viseme; weight: number; then?: { viseme: Viseme; weight: number } };

const sound = (viseme: Viseme, weight: number, then?: [Viseme, number]): Shape => ({
  kind: 'sound',
  viseme,
  weight,
  ...(then ? { then: { viseme: then[0], weight: then[1] } } : {}),
});

/** espeak-ng's English phonemes (phsource/ph_english), plus the common ones of other languages. */
const SHAPES: Record<string, Shape> = {
  // Open and central vowels.
  a: sound('aa', 1), aa: sound('aa', 1), 'A:': sound('aa', 1), A: sound('aa', 1), 'A@': sound('aa', 0.95), 'a#': sound('aa', 0.7),
  V: sound('aa', 0.75), '@': sound('aa', 0.4), '@2': sound('aa', 0.4), '@5': sound('aa', 0.4), '@L': sound('aa', 0.4),
  '3:': sound('ih', 0.6), '3': sound('ih', 0.5),
  // Front vowels: lips spread.
  i: sound('ee', 0.75), 'i:': sound('ee', 0.9), 'i;': sound('ee', 0.8), e: sound('ee', 0.75), E: sound('ee', 0.7),
  I: sound('ih', 0.7), I2: sound('ih', 0.6), 'I#': sound('ih', 0.6), y: sound('ou', 0.8),
  // Back vowels: lips rounded.
  '0': sound('oh', 0.9), 'O:': sound('oh', 1), O: sound('oh', 0.9), 'O@': sound('oh', 0.9), 'o@': sound('oh', 0.9), o: sound('oh', 0.9),
  'u:': sound('ou', 1), u: sound('ou', 0.9), U: sound('ou', 0.6), 'U@': sound('ou', 0.6, ['aa', 0.45]),
  // Diphthongs: a second shape half-way through.
  aI: sound('aa', 1, ['ee', 0.6]), 'aI@': sound('aa', 1, ['ih', 0.5]), 'aI3': sound('aa', 1, ['ih', 0.5]),
  aU: sound('aa', 1, ['ou', 0.8]), 'aU@': sound('aa', 1, ['ou', 0.6]), eI: sound('ee', 0.75, ['ih', 0.6]),
  oU: sound('oh', 0.9, ['ou', 0.8]), OI: sound('oh', 0.9, ['ee', 0.6]), 'e@': sound('ee', 0.7, ['aa', 0.5]),
  'i@': sound('ee', 0.8, ['aa', 0.45]), 'i@3': sound('ee', 0.8, ['aa', 0.45]),
  // Lips: closed, or lower lip to the upper teeth.
  p: { kind: 'lips', viseme: 'mbp' }, b: { kind: 'lips', viseme: 'mbp' }, m: { kind: 'lips', viseme: 'mbp' },
  'm-': { kind: 'lips', viseme: 'mbp' }, f: { kind: 'lips', viseme: 'fv' }, v: { kind: 'lips', viseme: 'fv' },
  // Rounded consonants: w, the postalveolars (lips pushed forward over closed teeth: a pout, the mouth
  // not open), English r.
  w: sound('ou', 0.8), W: sound('ou', 0.8), S: sound('ou', 0.2), Z: sound('ou', 0.2), tS: sound('ou', 0.2), dZ: sound('ou', 0.2),
  r: sound('ou', 0.35), 'r-': sound('ou', 0.35), R: sound('ou', 0.3),
  // Teeth together, lips a little spread.
  s: sound('ee', 0.3), z: sound('ee', 0.3), j: sound('ee', 0.5), C: sound('ee', 0.35),
  // Tongue and throat consonants: a nearly closed, relaxed mouth.
  t: sound('ih', 0.3), d: sound('ih', 0.3), n: sound('ih', 0.3), 'n-': sound('ih', 0.3), l: sound('ih', 0.35), 'l-': sound('ih', 0.35),
  T: sound('ih', 0.3), D: sound('ih', 0.3), k: sound('ih', 0.35), g: sound('ih', 0.35), N: sound('ih', 0.3), x: sound('ih', 0.35),
  h: sound('ih', 0.35), '?': sound('ih', 0.25), '*': sound('ih', 0.3), 't#': sound('ih', 0.3), 'd#': sound('ih', 0.3),
  // Stress and length marks and other non-sounds that espeak may report as phonemes.
  ';': { kind: 'skip' }, "'": { kind: 'skip' }, ',': { kind: 'skip' }, '': { kind: 'skip' },
};

const VOWEL_BY_LETTER: Record<string, Shape> = {
  a: sound('aa', 0.9), A: sound('aa', 0.9), '@': sound('aa', 0.4), V: sound('aa', 0.7), '3': sound('ih', 0.5),
  e: sound('ee', 0.7), E: sound('ee', 0.7), i: sound('ee', 0.8), I: sound('ih', 0.7),
  o: sound('oh', 0.9), O: sound('oh', 0.9), '0': sound('oh', 0.9), u: sound('ou', 0.9), U: sound('ou', 0.6), y: sound('ou', 0.8), Y: sound('ou', 0.7),
};

/** The shape of an espeak phoneme mnemonic: the table, then without length/variant marks, then by its first letter. */
export const phonemeShape = (name: string): Shape => {
  if (name.startsWith('_') || name.startsWith('|')) return { kind: 'pause' };
  if (name.startsWith('(')) return { kind: 'skip' }; // "(en)", "(fr)": espeak switching language mid-text
  const exact = SHAPES[name];
  if (exact) return exact;
  const bare = name.replace(/[:;#'",0-9-]+$/, '');
  if (bare && SHAPES[bare]) return SHAPES[bare]!;
  const first = name[0] ?? '';
  if (first === 'p' || first === 'b' || first === 'm') return { kind: 'lips', viseme: 'mbp' };
  if (first === 'f' || first === 'v') return { kind: 'lips', viseme: 'fv' };
  if (first === 'w') return sound('ou', 0.8);
  return VOWEL_BY_LETTER[first] ?? sound('ih', 0.3);
};

interface Target {
  atMs: number;
  viseme: Viseme;
  weight: number;
  /** Lips and rest: never dropped. */
  critical: boolean;
  /** When the sound it shapes is heard: a shape pushed later than this would be late. */
  soundMs: number;
  /** When that sound ends. */
  endMs: number;
}

const round = (v: number) => Math.round(v * 100) / 100;
/** Voiceless fricatives and affricates: heard as noise, with the jaw closed (teeth together or lips to teeth). */
const VOICELESS_ONSETS = new Set(['s', 'S', 'T', 'f', 'x', 'C', 'tS', 'h']);
/** Neighbours of one viseme merge unless the later opens more than this further. */
const MERGE_WEIGHT = 0.2;

/**
 * The mouth timeline for `phonemes` (in time order) of an utterance whose audio ends at `endMs`.
 * Ends with `rest` when the sound ends. Pure; the same input gives the same events.
 */
export const visemesFromPhonemes = (phonemes: readonly PhonemeMark[], endMs: number, options: VisemeOptions = {}): MouthEvent[] => {
  const lead = options.leadMs ?? 60;
  const onsetLead = options.onsetLeadMs ?? 40;
  const hold = options.minHoldMs ?? 60;
  const releaseLead = options.releaseLeadMs ?? 20;
  const restAfter = options.restAfterMs ?? 120;
  const marks = phonemes.filter((p) => phonemeShape(p.name).kind !== 'skip');

  // 1. One or two targets per phoneme, each starting `lead` before its sound; `notBefore` carries a release.
  const targets: Target[] = [];
  let notBefore = -Infinity;
  let soundEnd: number | undefined; // where the last pause long enough to close the mouth begins
  let afterRest = true;
  marks.forEach((p, i) => {
    const shape = phonemeShape(p.name);
    const next = marks[i + 1]?.atMs ?? endMs;
    const duration = Math.max(0, next - p.atMs);
    const firstLead = afterRest ? onsetLead : lead;
    // An utterance's first shape may start before its first sample (atMs < 0): the lips lead the sound there too.
    const start = (soundMs: number, leadMs = firstLead) => Math.max(notBefore, soundMs - leadMs);
    if (shape.kind === 'pause') {
      if (duration >= restAfter || i === marks.length - 1) {
        targets.push({ atMs: Math.max(notBefore, p.atMs), viseme: 'rest', weight: 0, critical: true, soundMs: p.atMs, endMs: next });
        soundEnd ??= p.atMs;
        afterRest = true;
      }
      notBefore = -Infinity;
      return;
    }
    // A phrase that opens on a breath (h): the lips take the vowel's shape as that vowel is heard, not
    // ~50 ms earlier at the breath (measured on frames against the audio, the lips parted too soon).
    if (afterRest && p.name === 'h') return;
    soundEnd = undefined;
    // One that opens on another voiceless fricative (s, sh, th, ch…) shows its closed-jaw shape through the
    // hiss, and the first voiced sound after it forms with the onset lead: that is where the voice starts.
    afterRest = afterRest && VOICELESS_ONSETS.has(p.name);
    if (shape.kind === 'lips') {
      // Closed before the release, held at least `hold` before the next shape may start forming.
      const release = next;
      const atMs = Math.min(start(p.atMs), release - releaseLead - hold);
      targets.push({ atMs: Math.max(atMs, notBefore), viseme: shape.viseme, weight: 1, critical: true, soundMs: p.atMs, endMs: release });
      notBefore = release - releaseLead;
      return;
    }
    if (shape.kind !== 'sound') return;
    const glide = shape.then && duration >= 2 * hold ? shape.then : undefined;
    const glideMs = p.atMs + duration / 2;
    targets.push({ atMs: start(p.atMs), viseme: shape.viseme, weight: shape.weight, critical: false, soundMs: p.atMs, endMs: glide ? glideMs : next });
    notBefore = -Infinity;
    if (glide) targets.push({ atMs: start(glideMs, lead), viseme: glide.viseme, weight: glide.weight, critical: false, soundMs: glideMs, endMs: next });
  });
  const finalRest = soundEnd ?? endMs;
  if (targets.length === 0 || targets[targets.length - 1]!.viseme !== 'rest')
    targets.push({ atMs: Math.max(finalRest, targets.at(-1)?.atMs ?? 0), viseme: 'rest', weight: 0, critical: true, soundMs: finalRest, endMs: finalRest });

  // 2. Merge equal neighbours (a much stronger one is a shape of its own: the pout of "sh" does not open
  // the mouth for the "u" of "sure" before that vowel's own lead); give every shape its minimum hold.
  const out: Target[] = [];
  for (const t of targets) {
    const last = out[out.length - 1];
    if (!last) {
      out.push({ ...t });
      continue;
    }
    if (t.atMs < last.atMs) t.atMs = last.atMs;
    if (last.viseme === t.viseme && t.weight - last.weight <= MERGE_WEIGHT) {
      last.weight = Math.max(last.weight, t.weight);
      last.critical ||= t.critical;
      continue;
    }
    if (t.atMs - last.atMs >= hold) {
      out.push({ ...t });
      continue;
    }
    const pushed = last.atMs + hold;
    if (pushed <= t.soundMs || (t.critical && last.critical)) {
      out.push({ ...t, atMs: pushed }); // later, but still formed by its sound (two lip shapes: both kept)
    } else if (!t.critical && (last.critical || t.weight >= last.weight) && pushed <= t.endMs - hold / 2) {
      out.push({ ...t, atMs: pushed }); // a little late, but long enough to be seen (a vowel after a short closure)
    } else if (t.critical || (!last.critical && t.weight > last.weight)) {
      out.pop(); // the weaker shape gives way
      const before = out[out.length - 1];
      if (before && before.viseme === t.viseme) {
        before.weight = Math.max(before.weight, t.weight);
        before.critical ||= t.critical;
      } else out.push({ ...t, atMs: before ? Math.max(t.atMs, before.atMs + hold) : t.atMs });
    }
    // else: this one is too brief and weaker than the shape it would cut short: dropped.
  }
  // A leading rest says nothing (the mouth is at rest before the first sound).
  while (out.length > 1 && out[0]!.viseme === 'rest') out.shift();
  return out.map((t) => ({ atMs: Math.round(t.atMs), viseme: t.viseme, weight: round(t.weight) }));
};
