import { describe, expect, it } from 'vitest';
import { phonemeShape, visemesFromPhonemes, type PhonemeMark } from '../visemes-from-phonemes.js';
import type { MouthEvent } from '../../protocol/voice.js';

/** "name@ms name@ms …" → phoneme marks. */
const marks = (spec: string): PhonemeMark[] =>
  spec.split(' ').map((part) => {
    const at = part.lastIndexOf('@');
    return { name: part.slice(0, at), atMs: Number(part.slice(at + 1)) };
  });

const shapeOf = (events: MouthEvent[], atMs: number) => [...events].reverse().find((e) => e.atMs <= atMs)?.viseme ?? 'rest';

describe('phoneme shapes (espeak-ng ASCII mnemonics)', () => {
  it.each([
    ['p', 'mbp'], ['b', 'mbp'], ['m', 'mbp'], ['f', 'fv'], ['v', 'fv'],
    ['a', 'aa'], ['A:', 'aa'], ['V', 'aa'], ['@', 'aa'], ['i:', 'ee'], ['E', 'ee'], ['I', 'ih'], ['u:', 'ou'], ['U', 'ou'],
    ['O:', 'oh'], ['0', 'oh'], ['w', 'ou'], ['S', 'ou'], ['tS', 'ou'], ['s', 'ee'], ['t', 'ih'], ['k', 'ih'], ['n', 'ih'],
  ])('%s → %s', (name, viseme) => {
    const shape = phonemeShape(name);
    expect(shape.kind === 'lips' || shape.kind === 'sound' ? shape.viseme : shape.kind).toBe(viseme);
  });

  it('pauses, stress marks and language switches are not sounds', () => {
    expect(phonemeShape('_').kind).toBe('pause');
    expect(phonemeShape('_:').kind).toBe('pause');
    expect(phonemeShape(';').kind).toBe('skip');
    expect(phonemeShape('(fr)').kind).toBe('skip');
  });

  it('names the table lacks fall back sensibly (variants, other languages)', () => {
    expect(phonemeShape('a:2')).toMatchObject({ viseme: 'aa' }); // a variant mark stripped
    expect(phonemeShape('o#')).toMatchObject({ viseme: 'oh' });
    expect(phonemeShape('mj')).toMatchObject({ viseme: 'mbp' });
    expect(phonemeShape('q')).toMatchObject({ viseme: 'ih' }); // an unknown consonant: nearly closed
  });

  it('the stressed open vowel opens more than a schwa', () => {
    const weight = (n: string) => (phonemeShape(n) as { weight: number }).weight;
    expect(weight('a')).toBeGreaterThan(weight('@'));
    expect(weight('A:')).toBeGreaterThan(weight('t'));
  });
});

describe('visemesFromPhonemes: coarticulation on audio time', () => {
  it('an utterance that starts sounding at once starts forming its mouth before its first sample', () => {
    // A clause whose audio starts with its vowel (no leading silence): the lips lead it from before 0.
    const events = visemesFromPhonemes(marks('aI@5 l@200 _@400'), 500);
    expect(events[0]).toEqual({ atMs: -35, viseme: 'aa', weight: 1 });
  });

  it('a shape starts forming ~60 ms before its phoneme is heard (40 ms for the first after silence)', () => {
    // "lad": l a d
    const events = visemesFromPhonemes(marks('l@100 a@200 d@400'), 500);
    expect(events[0]).toEqual({ atMs: 60, viseme: 'ih', weight: 0.35 }); // onset: 40 ms early
    expect(events.find((e) => e.viseme === 'aa')!.atMs).toBe(140); // 60 ms before the vowel
    expect(events.at(-1)!.viseme).toBe('rest');
  });

  it('a phrase that opens on a breath (h) forms the vowel as the vowel is heard, not at the breath', () => {
    // "hello": h @ l oU, after silence
    const events = visemesFromPhonemes(marks('h@10 @@60 l@110 oU@160'), 300);
    expect(events[0]!.atMs).toBe(20); // the schwa's shape, 40 ms before the schwa — nothing at the h
    expect(shapeOf(events, 15)).toBe('rest');
  });

  it('a phrase that opens on a hiss (sh, s) keeps the jaw closed through it; its vowel forms with the onset lead', () => {
    // "sure": S at 11, the vowel U@ heard from 104
    const sure = visemesFromPhonemes(marks('S@11 U@@104 _@400'), 500);
    expect(sure[0]).toEqual({ atMs: -29, viseme: 'ou', weight: 0.2 }); // a pout (40 ms before the audio's first sound), not an open "oo"
    expect(sure[1]).toEqual({ atMs: 64, viseme: 'ou', weight: 0.6 }); // the vowel's own shape, 40 ms before it, not merged back to the hiss
    // "sad": s a d — the same; inside a phrase a hiss is a sound like any other (the vowel forms 60 ms early)
    expect(visemesFromPhonemes(marks('s@100 a@200 d@400'), 500).find((e) => e.viseme === 'aa')!.atMs).toBe(160);
    expect(visemesFromPhonemes(marks('a@0 s@100 a@200 d@400'), 500).filter((e) => e.viseme === 'aa')[1]!.atMs).toBe(140);
  });

  it('closed lips before a plosive releases, the next shape waits for the release', () => {
    // "apa": a, then p closing at 300 and releasing into a at 380
    const events = visemesFromPhonemes(marks('a@100 p@300 a@380'), 600, { leadMs: 60, releaseLeadMs: 20, minHoldMs: 60 });
    const closure = events.find((e) => e.viseme === 'mbp')!;
    const after = events[events.indexOf(closure) + 1]!;
    expect(closure.atMs).toBeLessThanOrEqual(380 - 20 - 60); // closed and held before the release
    expect(after.viseme).toBe('aa');
    expect(after.atMs).toBeGreaterThanOrEqual(380 - 20); // opens only as the plosive releases
    expect(shapeOf(events, 379 - 20)).toBe('mbp');
  });

  it('f/v bring the lip to the teeth; p/b/m are never dropped however short', () => {
    const events = visemesFromPhonemes(marks('aI@50 v@120 @@150 b@175 I@190 t@230'), 400);
    expect(events.map((e) => e.viseme)).toContain('fv');
    expect(events.map((e) => e.viseme)).toContain('mbp');
  });

  it('every shape holds at least the minimum hold, except two lip shapes in a row', () => {
    // A fast run of short sounds: t I k I t I s
    const events = visemesFromPhonemes(marks('t@0 I@30 k@55 E@80 t@105 a@130 s@155 I@180 n@205 _@260'), 600);
    for (let i = 1; i < events.length; i++) {
      const a = events[i - 1]!, b = events[i]!;
      const bothLips = ['mbp', 'fv'].includes(a.viseme) && ['mbp', 'fv'].includes(b.viseme);
      if (!bothLips) expect(b.atMs - a.atMs, JSON.stringify(events)).toBeGreaterThanOrEqual(60);
      expect(b.viseme !== a.viseme || b.weight > a.weight + 0.2, JSON.stringify(events)).toBe(true); // like neighbours merge
    }
  });

  it('a long pause closes the mouth, a short one between words does not', () => {
    const long = visemesFromPhonemes(marks('a@0 _@200 a@500'), 700);
    expect(shapeOf(long, 350)).toBe('rest');
    const short = visemesFromPhonemes(marks('a@0 _@200 a@260'), 500);
    expect(short.filter((e) => e.viseme === 'rest')).toHaveLength(1); // only the final one
  });

  it('diphthongs glide to a second shape when there is time', () => {
    const events = visemesFromPhonemes(marks('aI@100 _@400'), 500);
    expect(events.map((e) => e.viseme)).toEqual(['aa', 'ee', 'rest']);
    const quick = visemesFromPhonemes(marks('aI@100 t@180 _@300'), 500);
    expect(quick.map((e) => e.viseme)).not.toContain('ee');
  });

  it('ends at rest where the sound ends; nothing before the first sound', () => {
    const events = visemesFromPhonemes(marks('_@0 h@300 @@330 l@380 oU@430 _:@700 _@850'), 900);
    expect(events[0]!.viseme).not.toBe('rest');
    expect(events[0]!.atMs).toBeGreaterThanOrEqual(250);
    expect(events.at(-1)).toEqual({ atMs: 700, viseme: 'rest', weight: 0 });
    expect(visemesFromPhonemes([], 0)).toEqual([{ atMs: 0, viseme: 'rest', weight: 0 }]);
  });

  it('events are in time order, on whole ms, weights in 0..1, and the same input gives the same output', () => {
    const input = marks('h@11 @@62 l@112 oU@219 _:@436 _@586 aI@586 a#@662 m@720 e@@807 r@972 i@1027 ;@1045 @@1088 _:@1134 _@1435');
    const events = visemesFromPhonemes(input, 1500);
    for (let i = 1; i < events.length; i++) expect(events[i]!.atMs).toBeGreaterThanOrEqual(events[i - 1]!.atMs);
    for (const e of events) {
      expect(Number.isInteger(e.atMs)).toBe(true);
      expect(e.weight).toBeGreaterThanOrEqual(0);
      expect(e.weight).toBeLessThanOrEqual(1);
    }
    expect(visemesFromPhonemes(input, 1500)).toEqual(events);
  });
});
