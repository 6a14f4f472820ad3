/**
 * The voice's mouth shapes are drawn as shapes of their own (head shot, every shipped identity): lips
 * pressed shut for m/b/p show no mouth opening but differ from the relaxed mouth at rest (a firmer line,
 * creases at the corners, the pressed lower lip under it); f/v show the upper teeth resting on the lower
 * lip with no dark opening; and any two of `rest aa ih ou ee oh mbp fv` differ around the mouth.
 */
import { describe, expect, it } from 'vitest';
import { CHARACTERS } from '../../characters/index.js';
import { POSTURES } from '../../characters/vocabulary.js';
import { MOUTH_SHAPE_CHANNELS } from '../../protocol/conditioning.js';
import { VISEMES, type Viseme } from '../../protocol/voice.js';
import { OPENPOSE_KEYPOINTS, PuppetSource } from '../index.js';
import { poseConditioning } from './pose-helpers.js';

const SIZE = 256;
/** A pixel differs when one of its channels moves by more than this (anti-aliasing noise stays below it). */
const PIXEL_THRESHOLD = 24;
/** Least share of the mouth box's pixels that must differ between two mouth shapes. */
const MIN_DIFFERING = 0.025;

/** The channel weights the speech layer shows for a viseme at full weight (vowels open 85 %). */
const channelsOf = (viseme: Viseme): Record<string, number> =>
  viseme === 'rest' ? {} : { [viseme]: viseme === 'mbp' || viseme === 'fv' ? 1 : 0.85 };

/** The box nose to chin: below the nose, half as wide as the ears are apart. */
const mouthBox = (source: PuppetSource, conditioning: Float32Array) => {
  const k = source.keypoints(conditioning);
  const at = (name: (typeof OPENPOSE_KEYPOINTS)[number]) => [k.pixels[OPENPOSE_KEYPOINTS.indexOf(name) * 3]!, k.pixels[OPENPOSE_KEYPOINTS.indexOf(name) * 3 + 1]!] as const;
  const [nx, ny] = at('nose');
  const ears = Math.abs(at('left_ear')[0] - at('right_ear')[0]);
  return { x0: Math.round(nx - ears / 4), x1: Math.round(nx + ears / 4), y0: Math.round(ny), y1: Math.round(ny + 0.45 * ears) };
};
type Box = ReturnType<typeof mouthBox>;

const countIn = (pixels: Uint8Array, box: Box, test: (r: number, g: number, b: number) => boolean) => {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * SIZE + x) * 4;
      if (pixels[i + 3]! > 200 && test(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!)) n++;
    }
  return n;
};
const differing = (a: Uint8Array, b: Uint8Array, box: Box) => {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * SIZE + x) * 4;
      if ([0, 1, 2, 3].some((c) => Math.abs(a[i + c]! - b[i + c]!) > PIXEL_THRESHOLD)) n++;
    }
  return n / ((box.x1 - box.x0) * (box.y1 - box.y0));
};
/** The mouth's dark red inside (0.45, 0.12, 0.16), and the teeth. */
const interior = (r: number, g: number, b: number) => Math.abs(r - 115) < 30 && g < 50 && b > 20 && b < 65 && r > 2 * b;
const teeth = (r: number, g: number, b: number) => r > 235 && g > 235 && b > 235;

describe('mouth shapes of the voice (native)', () => {
  it('every viseme but rest is a mouth-shape channel', () => {
    expect(VISEMES.filter((v) => v !== 'rest')).toEqual([...MOUTH_SHAPE_CHANNELS]);
  });

  const identities = CHARACTERS.filter((c, i) => CHARACTERS.findIndex((o) => o.look === c.look) === i);
  for (const character of identities) {
    it(`${character.id}: pressed lips, lip to teeth and rest are drawn, and all eight shapes differ`, async () => {
      const source = new PuppetSource(SIZE, SIZE, { shot: 'head' });
      source.configure(character.look);
      const frames = new Map<Viseme, Uint8Array>();
      for (const viseme of VISEMES) {
        const pixels = new Uint8Array(SIZE * SIZE * 4);
        await source.fill(poseConditioning(POSTURES.standing, channelsOf(viseme)), pixels);
        frames.set(viseme, pixels);
      }
      const box = mouthBox(source, poseConditioning(POSTURES.standing, {}));
      // The renderer's own opening (what the lip-sync bench reads): shut for rest, pressed lips and lip to
      // teeth, open for a vowel, shut for the pout of "sh" (ou 0.17) and the teeth-together "s" (ee 0.26).
      const parted = (channels: Record<string, number>) => source.mouthParted(poseConditioning(POSTURES.standing, channels));
      expect(parted({})).toBe(0);
      expect(parted({ mbp: 1 })).toBe(0);
      expect(parted({ fv: 1 })).toBe(0);
      expect(parted({ aa: 0.85 })).toBeGreaterThan(0.08);
      expect(parted({ ou: 0.17 })).toBeLessThan(0.05);
      expect(parted({ ee: 0.26 })).toBeLessThan(0.05);
      source.dispose();
      const [rest, aa, mbp, fv] = (['rest', 'aa', 'mbp', 'fv'] as const).map((v) => frames.get(v)!);
      // Counted against the relaxed mouth at rest (a shirt or collar may share a colour with the mouth's inside or the teeth).
      const more = (frame: Uint8Array, test: typeof teeth) => countIn(frame, box, test) - countIn(rest!, box, test);
      expect(more(aa!, interior)).toBeGreaterThan(100); // an open mouth shows its inside …
      expect(more(mbp!, interior)).toBe(0); // … pressed lips none, and no teeth
      expect(more(mbp!, teeth)).toBe(0);
      expect(more(fv!, interior)).toBeLessThan(10); // the teeth fill the small gap of f/v …
      expect(more(fv!, teeth)).toBeGreaterThan(30); // … and show
      for (const [i, a] of VISEMES.entries())
        for (const b of VISEMES.slice(i + 1)) {
          const share = differing(frames.get(a)!, frames.get(b)!, box);
          expect(share, `${a} vs ${b}: ${(share * 100).toFixed(1)} % of the mouth box differs`).toBeGreaterThanOrEqual(MIN_DIFFERING);
        }
    });
  }
});
