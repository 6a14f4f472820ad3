/**
 * Every expression of a shipped character has a face of its own: in the head shot, any two of the
 * twelve differ in at least 3 % of the head's pixels (the reviewer could not tell apart pairs
 * that differed in about 1 %). And the brows mirror each other unless the expression asks for one
 * side (a single lowered brow made a sleepy face read as sceptical).
 */
import { describe, expect, it } from 'vitest';
import { CHARACTERS } from '../../characters/index.js';
import { POSTURES } from '../../characters/vocabulary.js';
import { OPENPOSE_KEYPOINTS, PuppetSource } from '../index.js';
import { poseConditioning } from './pose-helpers.js';

const SIZE = 256;
/** Least share of the head's pixels that must differ between any two expressions. */
const MIN_DIFFERING = 0.03;
/** A pixel differs when one of its channels moves by more than this (anti-aliasing noise stays below it). */
const PIXEL_THRESHOLD = 24;

/** The head with its hair in the head shot: a disc centred between the ears, 1.6 times as wide as they are apart. */
const headDisc = (source: PuppetSource, conditioning: Float32Array) => {
  const k = source.keypoints(conditioning);
  const at = (name: (typeof OPENPOSE_KEYPOINTS)[number]) => [k.pixels[OPENPOSE_KEYPOINTS.indexOf(name) * 3]!, k.pixels[OPENPOSE_KEYPOINTS.indexOf(name) * 3 + 1]!] as const;
  const [lx, ly] = at('left_ear'), [rx, ry] = at('right_ear');
  return { cx: (lx + rx) / 2, cy: (ly + ry) / 2, r: 0.8 * Math.abs(lx - rx) };
};

/** Share of head pixels (opaque in either frame, inside the disc) where the two frames differ. */
export const differingShare = (a: Uint8Array, b: Uint8Array, disc: { cx: number; cy: number; r: number }) => {
  let head = 0;
  let differ = 0;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      if ((x + 0.5 - disc.cx) ** 2 + (y + 0.5 - disc.cy) ** 2 > disc.r ** 2) continue;
      const i = (y * SIZE + x) * 4;
      if (a[i + 3] === 0 && b[i + 3] === 0) continue;
      head++;
      for (let c = 0; c < 4; c++)
        if (Math.abs(a[i + c]! - b[i + c]!) > PIXEL_THRESHOLD) {
          differ++;
          break;
        }
    }
  return differ / head;
};

describe('expressions that look different (native)', () => {
  // Characters that reuse another's look (sleepy-aria) are not identities of their own.
  const identities = CHARACTERS.filter((c, i) => CHARACTERS.findIndex((o) => o.look === c.look) === i);

  for (const character of identities) {
    it(`${character.id}: every pair of its twelve expressions differs in ≥ ${MIN_DIFFERING * 100} % of the head's pixels`, async () => {
      const source = new PuppetSource(SIZE, SIZE, { shot: 'head' });
      source.configure(character.look);
      const expressions = character.vocabulary.expressions;
      expect(expressions).toHaveLength(12);
      const frames: Uint8Array[] = [];
      for (const expression of expressions) {
        const pixels = new Uint8Array(SIZE * SIZE * 4);
        await source.fill(poseConditioning(POSTURES.standing, expression.channels), pixels);
        frames.push(pixels);
      }
      const disc = headDisc(source, poseConditioning(POSTURES.standing));
      source.dispose();
      const pairs: string[] = [];
      let least = 1;
      for (let a = 0; a < frames.length; a++)
        for (let b = a + 1; b < frames.length; b++) {
          const share = differingShare(frames[a]!, frames[b]!, disc);
          least = Math.min(least, share);
          if (share < MIN_DIFFERING) pairs.push(`${expressions[a]!.name}/${expressions[b]!.name} ${(share * 100).toFixed(1)} %`);
        }
      expect(pairs, `${character.id}: pairs below ${MIN_DIFFERING * 100} % (least ${(least * 100).toFixed(1)} %)`).toEqual([]);
    });
  }
});

describe('symmetric brows (native)', () => {
  it('mirrors the brows left to right in every expression that does not tilt them', () => {
    const character = CHARACTERS[0]!;
    const source = new PuppetSource(SIZE, SIZE, { shot: 'head' });
    source.configure(character.look);
    const standing = poseConditioning(POSTURES.standing);
    const k = source.keypoints(standing);
    const noseX = k.pixels[OPENPOSE_KEYPOINTS.indexOf('nose') * 3]!;
    const eyeY = k.pixels[OPENPOSE_KEYPOINTS.indexOf('left_eye') * 3 + 1]!;
    let checked = 0;
    for (const expression of character.vocabulary.expressions) {
      if (expression.channels.browTilt) continue;
      // Brow strokes (and their rims): flat capsules above the eyes, thicker at the inner end.
      const brows = source
        .displayList(poseConditioning(POSTURES.standing, expression.channels))
        .filter((p) => p.shape === 'capsule' && !p.shaded && p.ra > p.rb + 1e-3 && p.ay < eyeY - 2);
      const left = brows.filter((p) => p.shape === 'capsule' && p.ax < noseX);
      const right = brows.filter((p) => p.shape === 'capsule' && p.ax > noseX);
      expect(left.length, expression.name).toBeGreaterThan(0);
      expect(right.length, expression.name).toBe(left.length);
      for (const l of left) {
        if (l.shape !== 'capsule') continue;
        const mirrored = right.some((r) => r.shape === 'capsule' && Math.abs(r.ay - l.ay) < 0.5 && Math.abs(r.ax - noseX - (noseX - l.ax)) < 0.5);
        expect(mirrored, `${expression.name}: brow point (${l.ax.toFixed(1)}, ${l.ay.toFixed(1)}) has no mirror image`).toBe(true);
      }
      checked++;
    }
    source.dispose();
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});
