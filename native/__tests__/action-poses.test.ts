/**
 * Key poses that read in one frame, checked on the vocabulary's own keyframes: crossed arms cross
 * (each forearm reaches past the body's midline, the left one drawn over the right), a facepalm puts
 * the hand on the face, a bow shows closed eyes rather than eye whites that read as tears.
 */
import { describe, expect, it } from 'vitest';
import type { Look } from '../../protocol/look.js';
import type { BodyPose } from '../../protocol/skeleton.js';
import { CHARACTERS } from '../../characters/index.js';
import { POSTURES, type GestureAction, type Keyframe } from '../../characters/vocabulary.js';
import { OPENPOSE_KEYPOINTS, PuppetSource } from '../index.js';
import { poseConditioning } from './pose-helpers.js';

const SIZE = 256;
const identities = CHARACTERS.filter((c, i) => CHARACTERS.findIndex((o) => o.look === c.look) === i);

/** The pose an action holds: its last intro key over the standing posture. */
const keyPose = (name: string): { pose: BodyPose; key: Keyframe } => {
  const action = identities[0]!.vocabulary.actions.find((a) => a.name === name) as GestureAction;
  const key = action.intro.at(-1) ?? action.cycle[0]!;
  return { pose: { rootYaw: key.root?.yaw ?? 0, joints: { ...POSTURES.standing.joints, ...key.joints } }, key };
};

const at = (k: ReturnType<PuppetSource['keypoints']>, name: (typeof OPENPOSE_KEYPOINTS)[number]) => {
  const i = OPENPOSE_KEYPOINTS.indexOf(name) * 3;
  return { x: k.pixels[i]!, y: k.pixels[i + 1]! };
};

describe('action key poses (native)', () => {
  for (const character of identities) {
    it(`${character.id}: cross_arms folds each forearm past the midline, the left over the right`, () => {
      const { pose, key } = keyPose('cross_arms');
      const source = new PuppetSource(SIZE, SIZE);
      source.configure(character.look);
      const c = poseConditioning(pose, {}, key.hands);
      const k = source.keypoints(c);
      const list = source.displayList(c);
      source.dispose();
      const mid = (at(k, 'left_shoulder').x + at(k, 'right_shoulder').x) / 2;
      // The character's left is the viewer's right (+x): its left wrist ends left of the midline, and the right wrist right of it.
      expect(at(k, 'left_wrist').x).toBeLessThan(mid);
      expect(at(k, 'right_wrist').x).toBeGreaterThan(mid);
      // Both forearms across the chest: wrists between the shoulders' height and the hips'.
      for (const side of ['left', 'right'] as const) {
        expect(at(k, `${side}_wrist`).y).toBeGreaterThan(at(k, `${side}_shoulder`).y);
        expect(at(k, `${side}_wrist`).y).toBeLessThan(at(k, `${side}_hip`).y);
      }
      const forearm = (side: 'left' | 'right') => {
        const e = at(k, `${side}_elbow`), w = at(k, `${side}_wrist`);
        return list.findIndex((p) => p.shape === 'capsule' && Math.hypot(p.ax - e.x, p.ay - e.y) < 0.01 && Math.hypot(p.bx - w.x, p.by - w.y) < 0.01);
      };
      expect(forearm('left')).toBeGreaterThan(forearm('right')); // drawn later: in front
      expect(forearm('right')).toBeGreaterThanOrEqual(0);
    });

    it(`${character.id}: facepalm puts the hand on the face`, async () => {
      const { pose, key } = keyPose('facepalm');
      const source = new PuppetSource(SIZE, SIZE, { shot: 'head' });
      source.configure(character.look);
      const k = source.keypoints(poseConditioning(pose, {}, key.hands));
      source.dispose();
      const nose = at(k, 'nose'), wrist = at(k, 'right_wrist');
      const headRadius = (character.look.headRadius ?? 0.155) * k.camera.scale;
      expect(Math.hypot(wrist.x - nose.x, wrist.y - nose.y)).toBeLessThan(headRadius * 1.1);
    });

    it(`${character.id}: a bow shows closed eyes, no eye whites or irises`, async () => {
      const marked: Look = { ...character.look, eyes: [0, 255, 0] };
      const { pose, key } = keyPose('bow');
      const source = new PuppetSource(SIZE, SIZE, { shot: 'upper_body' });
      source.configure(marked);
      const pixels = new Uint8Array(SIZE * SIZE * 4);
      // The bow's own face (eyes down, lids heavy) and none: the bowed head alone closes the eyes.
      for (const face of [key.face ?? {}, {}]) {
        await source.fill(poseConditioning(pose, face, key.hands), pixels);
        let iris = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 40 && pixels[i + 1]! > 200 && pixels[i + 2]! < 40 && pixels[i + 3] === 255) iris++;
        expect(iris, JSON.stringify(face)).toBe(0);
      }
      source.dispose();
    });
  }
});
