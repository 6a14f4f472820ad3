/**
 * The schedule arithmetic against the published numbers: Stable Diffusion's scaled-linear ᾱ, LCM's
 * 4-step timesteps (999, 759, 499, 259), its boundary scalings, the img2img cut; and the CLIP
 * tokenizer's BPE on a small vocabulary.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addNoise, alphasCumprod, lcmDenoise, lcmScalings, lcmTimesteps, seededNoise } from '../diffusion-schedule.js';
import { ClipTokenizer } from '../clip-tokenizer.js';
import { writeTinyDiffusionSet } from './tiny-diffusion.js';

describe('diffusion schedule', () => {
  it('ᾱ follows SD’s scaled-linear betas (ᾱ_0 = 1 − 0.00085, ᾱ_999 ≈ 0.00466)', () => {
    const a = alphasCumprod();
    expect(a.length).toBe(1000);
    expect(a[0]).toBeCloseTo(1 - 0.00085, 10);
    expect(a[999]).toBeCloseTo(0.004660, 5);
    for (let i = 1; i < 1000; i++) expect(a[i]!).toBeLessThan(a[i - 1]!);
  });

  it('LCM timesteps: 4 steps 999/759/499/259, 2 steps 999/499, img2img strength cuts the noisiest', () => {
    expect(lcmTimesteps(4, 1)).toEqual([999, 759, 499, 259]);
    expect(lcmTimesteps(2, 1)).toEqual([999, 499]);
    expect(lcmTimesteps(1, 1)).toEqual([999]);
    expect(lcmTimesteps(2, 0.5)).toEqual([499, 259]);
    expect(lcmTimesteps(1, 0.02)).toEqual([19]);
  });

  it('LCM boundary scalings: c_skip → 1, c_out → 0 at t = 0; c_out ≈ 1 at t = 999', () => {
    expect(lcmScalings(0)).toEqual({ cSkip: 1, cOut: 0 });
    const late = lcmScalings(999);
    expect(late.cOut).toBeCloseTo(1, 6);
    expect(late.cSkip).toBeCloseTo(0.25 / (9990 ** 2 + 0.25), 12);
  });

  it('denoising the exact noise that was added gives back x0 (up to c_skip)', () => {
    const x0 = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const noise = seededNoise(5, 64);
    const alpha = alphasCumprod()[499]!;
    const xt = addNoise(x0, noise, alpha, new Float32Array(64));
    const out = lcmDenoise(xt, noise, 499, alpha, new Float32Array(64));
    const { cSkip, cOut } = lcmScalings(499);
    for (let i = 0; i < 64; i++) expect(out[i]).toBeCloseTo(cOut * x0[i]! + cSkip * xt[i]!, 4);
  });

  it('seeded noise is the same for the same seed, different for another, roughly N(0, 1)', () => {
    const a = seededNoise(1, 4096);
    expect(seededNoise(1, 4096)).toEqual(a);
    expect(seededNoise(2, 4096)).not.toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeGreaterThan(0.85);
    expect(variance).toBeLessThan(1.15);
  });
});

describe('CLIP tokenizer', () => {
  it('merges words by BPE, wraps them in start/end, pads with end to 77', async () => {
    const dir = writeTinyDiffusionSet(mkdtempSync(path.join(os.tmpdir(), 'tok-')));
    const tokenizer = await ClipTokenizer.load(path.join(dir, 'tokenizer/vocab.json'), path.join(dir, 'tokenizer/merges.txt'));
    const vocab = (await import('node:fs')).readFileSync(path.join(dir, 'tokenizer/vocab.json'), 'utf8');
    const ids = JSON.parse(vocab) as Record<string, number>;
    const out = tokenizer.encode('  Brown BOB hair, zz ');
    expect(out.length).toBe(77);
    expect([...out.slice(0, 8)]).toEqual([ids['<|startoftext|>'], ids['brown</w>'], ids['bob</w>'], ids['hair</w>'], ids[',</w>'], ids['z'], ids['z</w>'], ids['<|endoftext|>']]);
    expect(new Set(out.slice(8))).toEqual(new Set([ids['<|endoftext|>']]));
  });
});
