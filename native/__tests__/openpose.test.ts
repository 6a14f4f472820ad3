/** OpenPose keypoints from the real addon: forward kinematics, projection, bone lengths, and the control image's colours. */
import { describe, expect, it } from 'vitest';
import { CONDITIONING } from '../../protocol/conditioning.js';
import { JOINTS } from '../../protocol/skeleton.js';
import { ARIA } from '../../characters/aria.js';
import { KAI } from '../../characters/kai.js';
import { POSTURES } from '../../characters/vocabulary.js';
import { ControlSource, OPENPOSE_KEYPOINTS, PuppetSource, createConditioning, createFrameSource, type Keypoints } from '../index.js';
import { poseConditioning, seededRandom } from './pose-helpers.js';

const K = (name: (typeof OPENPOSE_KEYPOINTS)[number]) => OPENPOSE_KEYPOINTS.indexOf(name);
const world = (k: Keypoints, name: (typeof OPENPOSE_KEYPOINTS)[number]) => {
  const i = K(name) * 3;
  return [k.world[i]!, k.world[i + 1]!, k.world[i + 2]!] as const;
};
const pixel = (k: Keypoints, name: (typeof OPENPOSE_KEYPOINTS)[number]) => {
  const i = K(name) * 3;
  return { x: k.pixels[i]!, y: k.pixels[i + 1]!, visible: k.pixels[i + 2] === 1 };
};
const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

// Aria's proportions are the engine defaults (protocol/look.ts documents them).
const UPPER_ARM = 0.25, FOREARM = 0.22, THIGH = 0.36, SHIN = 0.34;

describe('OpenPose keypoints (forward kinematics, native)', () => {
  const source = new PuppetSource(512, 512);
  source.configure(ARIA.look);

  it('hangs the arms straight down at rest and holds them out level in a T-pose', () => {
    const rest = source.keypoints(createConditioning());
    const [sx, sy, sz] = world(rest, 'left_shoulder');
    const [wx, wy, wz] = world(rest, 'left_wrist');
    expect(wx).toBeCloseTo(sx, 5);
    expect(wz).toBeCloseTo(sz, 5);
    expect(sy - wy).toBeCloseTo(UPPER_ARM + FOREARM, 5);
    // The character's left is the viewer's right at yaw 0.
    expect(pixel(rest, 'left_shoulder').x).toBeGreaterThan(pixel(rest, 'right_shoulder').x);

    const tpose = source.keypoints(poseConditioning({ joints: { left_shoulder: [0, 0, Math.PI / 2], right_shoulder: [0, 0, Math.PI / 2] } }));
    for (const side of ['left', 'right'] as const) {
      const s = world(tpose, `${side}_shoulder`), w = world(tpose, `${side}_wrist`);
      expect(w[1]).toBeCloseTo(s[1], 5);
      expect(Math.abs(w[0] - s[0])).toBeCloseTo(UPPER_ARM + FOREARM, 5);
      expect(Math.sign(w[0] - s[0])).toBe(side === 'left' ? 1 : -1); // outward on both sides
    }
  });

  it('points a forward-raised forearm at the viewer and bends a sitting knee', () => {
    const k = source.keypoints(poseConditioning({ joints: { left_elbow: [-Math.PI / 2, 0, 0] } }));
    const e = world(k, 'left_elbow'), w = world(k, 'left_wrist');
    expect(w[2] - e[2]).toBeCloseTo(FOREARM, 5); // toward the viewer
    expect(w[1]).toBeCloseTo(e[1], 5);
    const sitting = source.keypoints(poseConditioning(POSTURES.sitting));
    const hip = world(sitting, 'left_hip'), knee = world(sitting, 'left_knee'), ankle = world(sitting, 'left_ankle');
    expect(knee[2]).toBeGreaterThan(hip[2] + THIGH * 0.9); // the thigh points forward
    expect(knee[1] - ankle[1]).toBeGreaterThan(SHIN * 0.9); // the shin hangs down
  });

  it('turns with the root: at yaw π the left shoulder is on the viewer’s left and the face points are hidden', () => {
    const k = source.keypoints(poseConditioning({ ...POSTURES.standing, rootYaw: Math.PI }));
    expect(pixel(k, 'left_shoulder').x).toBeLessThan(pixel(k, 'right_shoulder').x);
    for (const name of ['nose', 'left_eye', 'right_eye'] as const) expect(pixel(k, name).visible).toBe(false);
    const front = source.keypoints(poseConditioning(POSTURES.standing));
    for (const name of ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear'] as const) expect(pixel(front, name).visible).toBe(true);
  });

  it('projects every keypoint with the orthographic camera, in every shot and aspect ratio', () => {
    const random = seededRandom(7);
    for (const [w, h, shot] of [[512, 512, 'full_body'], [640, 360, 'upper_body'], [256, 320, 'head']] as const) {
      const s = new PuppetSource(w, h, { shot });
      s.configure(KAI.look);
      for (let n = 0; n < 50; n++) {
        const c = createConditioning();
        for (let j = 0; j < JOINTS.length * 3; j++) c[CONDITIONING.jointOffset + j] = (random() - 0.5) * 2;
        c[CONDITIONING.rootOffset + 2] = random() * Math.PI * 2;
        const k = s.keypoints(c);
        for (let i = 0; i < OPENPOSE_KEYPOINTS.length; i++) {
          expect(k.pixels[i * 3]!).toBeCloseTo(k.camera.originX + k.world[i * 3]! * k.camera.scale, 2);
          expect(k.pixels[i * 3 + 1]!).toBeCloseTo(k.camera.originY - k.world[i * 3 + 1]! * k.camera.scale, 2);
        }
      }
      const rest = s.keypoints(poseConditioning(POSTURES.standing));
      const nose = pixel(rest, 'nose');
      expect(nose.x).toBeGreaterThan(0);
      expect(nose.x).toBeLessThan(w);
      expect(nose.y).toBeGreaterThan(0);
      expect(nose.y).toBeLessThan(h);
      s.dispose();
    }
  });

  it('keeps every bone the same length over 10,000 random poses (drift < 0.1 %)', () => {
    const random = seededRandom(42);
    const bones = [
      ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'], ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'],
      ['left_hip', 'left_knee'], ['left_knee', 'left_ankle'], ['right_hip', 'right_knee'], ['right_knee', 'right_ankle'],
      ['left_shoulder', 'right_shoulder'], ['left_hip', 'right_hip'], ['left_eye', 'right_eye'],
    ] as const;
    const reference = source.keypoints(createConditioning());
    const rest = bones.map(([a, b]) => distance(world(reference, a), world(reference, b)));
    const worst = bones.map(() => 0);
    for (let n = 0; n < 10_000; n++) {
      const c = createConditioning();
      for (let j = 0; j < JOINTS.length * 3; j++) c[CONDITIONING.jointOffset + j] = (random() - 0.5) * 2 * Math.PI;
      c[CONDITIONING.rootOffset] = (random() - 0.5) * 0.5;
      c[CONDITIONING.rootOffset + 1] = -random() * 0.4;
      c[CONDITIONING.rootOffset + 2] = random() * 2 * Math.PI;
      const k = source.keypoints(c);
      bones.forEach(([a, b], i) => {
        worst[i] = Math.max(worst[i]!, Math.abs(distance(world(k, a), world(k, b)) / rest[i]! - 1));
      });
    }
    expect(rest.slice(0, 2)).toEqual([expect.closeTo(UPPER_ARM, 5), expect.closeTo(FOREARM, 5)]);
    for (const drift of worst) expect(drift).toBeLessThan(0.001);
  });
});

describe('frame source options (native)', () => {
  it('says what to fix for an unknown shot or source name', () => {
    expect(() => new ControlSource(256, 256, { shot: 'wide' as never })).toThrow(/shot must be one of: full_body, upper_body, head/);
    expect(() => createFrameSource('diffusion', 256, 256)).toThrow(/unknown frame source "diffusion"; available: puppet, control/);
    const control = createFrameSource('control', 320, 240);
    expect(control.kind).toBe('control');
    expect(() => control.fill(createConditioning(), new Uint8Array(256 * 256 * 4))).toThrow(/width\*height\*4 = 307200 bytes/);
    control.dispose();
  });
});

describe('control frame source (native)', () => {
  const SIZE = 512;
  // Arms out and legs apart, so no limb crosses another at its midpoint.
  const spread = poseConditioning({
    joints: { left_shoulder: [0, 0, 1.2], right_shoulder: [0, 0, 1.2], left_hip: [0, 0, 0.25], right_hip: [0, 0, 0.25] },
  });
  const LIMBS = [[2, 3], [2, 6], [3, 4], [4, 5], [6, 7], [7, 8], [2, 9], [9, 10], [10, 11], [2, 12], [12, 13], [13, 14], [2, 1], [1, 15], [15, 17], [1, 16], [16, 18]];
  const COLOURS = [
    [255, 0, 0], [255, 85, 0], [255, 170, 0], [255, 255, 0], [170, 255, 0], [85, 255, 0], [0, 255, 0], [0, 255, 85], [0, 255, 170],
    [0, 255, 255], [0, 170, 255], [0, 85, 255], [0, 0, 255], [85, 0, 255], [170, 0, 255], [255, 0, 255], [255, 0, 170], [255, 0, 85],
  ];

  const render = async (conditioning: Float32Array) => {
    const control = new ControlSource(SIZE, SIZE);
    control.configure(ARIA.look);
    const pixels = new Uint8Array(SIZE * SIZE * 4);
    await control.fill(conditioning, pixels);
    const keypoints = control.keypoints(conditioning);
    control.dispose();
    return { pixels, keypoints };
  };
  const rgbAt = (pixels: Uint8Array, x: number, y: number) => {
    const i = (Math.round(y) * SIZE + Math.round(x)) * 4;
    return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!, pixels[i + 3]!];
  };

  it('draws the standard OpenPose limb colours (at 60 %) at each limb, joint colours at each joint, on opaque black', async () => {
    const { pixels, keypoints } = await render(spread);
    expect(rgbAt(pixels, 2, 2)).toEqual([0, 0, 0, 255]);
    expect(rgbAt(pixels, SIZE - 3, SIZE / 2)).toEqual([0, 0, 0, 255]);
    LIMBS.forEach(([a, b], i) => {
      const x = (keypoints.pixels[(a! - 1) * 3]! + keypoints.pixels[(b! - 1) * 3]!) / 2;
      const y = (keypoints.pixels[(a! - 1) * 3 + 1]! + keypoints.pixels[(b! - 1) * 3 + 1]!) / 2;
      const expected = COLOURS[i]!.map((c) => Math.round(c * 0.6));
      const got = rgbAt(pixels, x, y);
      got.slice(0, 3).forEach((c, k) => expect(Math.abs(c - expected[k]!), `limb ${a}-${b} at ${x.toFixed(0)},${y.toFixed(0)}: ${got}`).toBeLessThanOrEqual(2));
    });
    OPENPOSE_KEYPOINTS.forEach((name, i) => {
      expect(rgbAt(pixels, keypoints.pixels[i * 3]!, keypoints.pixels[i * 3 + 1]!).slice(0, 3), name).toEqual(COLOURS[i]);
    });
  });

  it('leaves out the eyes and nose when the character faces away, and gives identical bytes twice', async () => {
    const away = poseConditioning({ joints: {}, rootYaw: Math.PI });
    const first = await render(away);
    const second = await render(away);
    expect(Buffer.compare(Buffer.from(first.pixels), Buffer.from(second.pixels))).toBe(0);
    const hidden = [COLOURS[0], COLOURS[14], COLOURS[15]].map((c) => c!.join());
    let found = 0;
    for (let i = 0; i < first.pixels.length; i += 4) if (hidden.includes(`${first.pixels[i]},${first.pixels[i + 1]},${first.pixels[i + 2]}`)) found++;
    expect(found).toBe(0);
    const front = await render(spread);
    let seen = 0;
    for (let i = 0; i < front.pixels.length; i += 4) if (hidden.includes(`${front.pixels[i]},${front.pixels[i + 1]},${front.pixels[i + 2]}`)) seen++;
    expect(seen).toBeGreaterThan(50); // the same count does see them when the face is toward us
  });
});
