/** The real addon: layout agreement, pixels a user would notice, determinism, and clear errors. */
import { describe, expect, it } from 'vitest';
import { CONDITIONING, EXPRESSION_CHANNEL_COUNT, channelIndex } from '../../protocol/conditioning.js';
import { jointIndex } from '../../protocol/skeleton.js';
import { ARIA } from '../../characters/aria.js';
import { POSTURES } from '../../characters/default-vocabulary.js';
import { PuppetSource, createConditioning, nativeLayout } from '../index.js';

const SIZE = 256;

const standing = () => {
  const c = createConditioning();
  for (const [joint, r] of Object.entries(POSTURES.standing.joints)) c.set(r, CONDITIONING.jointOffset + jointIndex(joint as never) * 3);
  return c;
};

const render = async (conditioning: Float32Array, source = new PuppetSource(SIZE, SIZE)) => {
  source.configure(ARIA.look);
  const pixels = new Uint8Array(SIZE * SIZE * 4);
  await source.fill(conditioning, pixels);
  return pixels;
};

/** Bounds of opaque pixels (alpha > 128) within columns [x0, x1). */
const opaqueBounds = (rgba: Uint8Array, x0 = 0, x1 = SIZE) => {
  let top = SIZE, bottom = -1;
  for (let y = 0; y < SIZE; y++) for (let x = Math.round(x0); x < x1; x++) if (rgba[(y * SIZE + x) * 4 + 3]! > 128) { top = Math.min(top, y); bottom = Math.max(bottom, y); }
  return { top, bottom };
};

describe('puppet frame source (native)', () => {
  it('was compiled with the conditioning layout protocol/ describes', () => {
    expect(nativeLayout).toEqual({
      jointCount: 17,
      expressionCount: EXPRESSION_CHANNEL_COUNT,
      jointOffset: CONDITIONING.jointOffset,
      expressionOffset: CONDITIONING.expressionOffset,
      handOffset: CONDITIONING.handOffset,
      timeOffset: CONDITIONING.timeOffset,
      length: CONDITIONING.length,
    });
  });

  it('draws an opaque character on a transparent background', async () => {
    const pixels = await render(standing());
    const alphaAt = (x: number, y: number) => pixels[(y * SIZE + x) * 4 + 3]!;
    for (const [x, y] of [[0, 0], [SIZE - 1, 0], [0, SIZE - 1], [SIZE - 1, SIZE - 1]] as const) expect(alphaAt(x, y)).toBe(0);
    const { top, bottom } = opaqueBounds(pixels);
    expect(bottom - top).toBeGreaterThan(SIZE * 0.6); // a full body, not a speck
    expect(alphaAt(SIZE / 2, Math.round(top + (bottom - top) * 0.4))).toBe(255); // torso is solid
    // Soft edges: anti-aliasing leaves partly transparent pixels along the outline.
    let partial = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0 && pixels[i]! < 255) partial++;
    expect(partial).toBeGreaterThan(200);
  });

  it('raises the arm for a wave pose: the arm side of the silhouette rises to the top of the head', async () => {
    const rest = await render(standing());
    const wave = standing();
    wave.set([0, 0, 2.55], CONDITIONING.jointOffset + jointIndex('right_shoulder') * 3);
    const raised = await render(wave);
    // The character's right arm is on the viewer's left.
    const before = opaqueBounds(rest, 0, SIZE * 0.38);
    const after = opaqueBounds(raised, 0, SIZE * 0.38);
    const head = opaqueBounds(rest, SIZE * 0.45, SIZE * 0.55);
    expect(after.top).toBeLessThan(before.top - SIZE * 0.2);
    expect(after.top).toBeLessThan(head.top + SIZE * 0.03);
  });

  it('changes the face for an expression and gives the same bytes for the same conditioning', async () => {
    const neutral = await render(standing());
    const again = await render(standing());
    expect(Buffer.compare(Buffer.from(neutral), Buffer.from(again))).toBe(0);
    const sad = standing();
    sad[CONDITIONING.expressionOffset + channelIndex('sad')] = 1;
    const sadPixels = await render(sad);
    const { top } = opaqueBounds(neutral);
    let changed = 0;
    for (let y = top; y < top + SIZE * 0.2; y++)
      for (let x = Math.round(SIZE * 0.4); x < SIZE * 0.6; x++) {
        const i = (y * SIZE + x) * 4;
        if (Math.abs(neutral[i]! - sadPixels[i]!) + Math.abs(neutral[i + 1]! - sadPixels[i + 1]!) > 40) changed++;
      }
    expect(changed).toBeGreaterThan(20);
    // Nothing below the head changes with the face.
    const bodyRow = Math.round(SIZE * 0.7) * SIZE * 4;
    expect(Buffer.compare(Buffer.from(neutral.subarray(bodyRow)), Buffer.from(sadPixels.subarray(bodyRow)))).toBe(0);
  });

  it('fills three buffers concurrently off the JS thread, and refuses a buffer already in flight', async () => {
    const source = new PuppetSource(SIZE, SIZE);
    const buffers = [0, 1, 2].map(() => new Uint8Array(SIZE * SIZE * 4));
    const pending = buffers.map((b) => source.fill(standing(), b));
    expect(() => source.fill(standing(), buffers[0]!)).toThrow(/already being filled/);
    const results = await Promise.all(pending);
    for (const r of results) expect(r.fillMs).toBeGreaterThan(0);
    expect(source.stats()).toMatchObject({ fills: 3, inFlight: 0, width: SIZE, height: SIZE });
    for (const b of buffers) expect(b.some((v) => v !== 0)).toBe(true);
  });

  it('says what to fix when given the wrong inputs', () => {
    const source = new PuppetSource(SIZE, SIZE);
    expect(() => source.fill(new Float32Array(3), new Uint8Array(SIZE * SIZE * 4))).toThrow(new RegExp(`Float32Array of length ${CONDITIONING.length}`));
    expect(() => source.fill(standing(), new Uint8Array(10))).toThrow(/width\*height\*4 = 262144 bytes/);
    expect(() => source.configure({ hairStyle: 'mohawk' } as never)).toThrow(/hairStyle must be one of/);
    expect(() => new PuppetSource(4, 4)).toThrow(/between 16 and 4096/);
    source.dispose();
    expect(() => source.fill(standing(), new Uint8Array(SIZE * SIZE * 4))).toThrow(/disposed/);
  });
});
