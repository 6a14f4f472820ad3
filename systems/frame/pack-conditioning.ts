/** Packs one entity's Pose (with hands), Expression and engine time into a conditioning vector for the frame sources. */
import { CONDITIONING, EXPRESSION_CHANNEL_COUNT, HAND_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import { ROTATION_STRIDE, type Components } from '../../engine/components.js';

export const packConditioning = ({ Pose, Expression }: Components, eid: number, timeMs: number, out: Float32Array): Float32Array => {
  out[CONDITIONING.rootOffset] = Pose.rootX[eid]!;
  out[CONDITIONING.rootOffset + 1] = Pose.rootY[eid]!;
  out[CONDITIONING.rootOffset + 2] = Pose.rootYaw[eid]!;
  out.set(Pose.rotation.subarray(eid * ROTATION_STRIDE, (eid + 1) * ROTATION_STRIDE), CONDITIONING.jointOffset);
  out.set(Expression.weight.subarray(eid * EXPRESSION_CHANNEL_COUNT, (eid + 1) * EXPRESSION_CHANNEL_COUNT), CONDITIONING.expressionOffset);
  out.set(Pose.hand.subarray(eid * HAND_CHANNEL_COUNT, (eid + 1) * HAND_CHANNEL_COUNT), CONDITIONING.handOffset);
  out[CONDITIONING.timeOffset] = timeMs / 1000;
  return out;
};
