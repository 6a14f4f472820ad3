/** Builds conditioning vectors for the native tests: a body pose, expression weights, hand shapes. */
import { CONDITIONING, HAND_CHANNELS, channelIndex, type ExpressionChannel } from '../../protocol/conditioning.js';
import { jointIndex, type BodyPose, type HandShape } from '../../protocol/skeleton.js';
import { createConditioning } from '../index.js';

export const poseConditioning = (
  pose: BodyPose,
  face: Partial<Record<ExpressionChannel, number>> = {},
  hands: { left?: HandShape; right?: HandShape } = {},
): Float32Array => {
  const c = createConditioning();
  c[CONDITIONING.rootOffset] = pose.rootX ?? 0;
  c[CONDITIONING.rootOffset + 1] = pose.rootY ?? 0;
  c[CONDITIONING.rootOffset + 2] = pose.rootYaw ?? 0;
  for (const [joint, r] of Object.entries(pose.joints)) c.set(r, CONDITIONING.jointOffset + jointIndex(joint as never) * 3);
  for (const [name, w] of Object.entries(face)) c[CONDITIONING.expressionOffset + channelIndex(name as ExpressionChannel)] = w;
  [hands.left, hands.right].forEach((shape, side) => {
    if (shape) HAND_CHANNELS.forEach((k, i) => (c[CONDITIONING.handOffset + side * 3 + i] = shape[k]));
  });
  return c;
};

/** A deterministic pseudo-random generator (mulberry32), so a failing pose can be reproduced. */
export const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
