/** Builds a conditioning vector from a body pose, face channel weights and hand shapes (tests, docs, tools). */
import { CONDITIONING, HAND_CHANNELS, channelIndex, type ExpressionChannel } from '../protocol/conditioning.js';
import { jointIndex, type BodyPose, type HandShape } from '../protocol/skeleton.js';

export const poseConditioning = (
  pose: BodyPose,
  face: Partial<Record<ExpressionChannel, number>> = {},
  hands: { left?: HandShape; right?: HandShape } = {},
): Float32Array => {
  const c = new Float32Array(CONDITIONING.length);
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
