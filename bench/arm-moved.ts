/** Action latency's finish line: the first published frame whose raised-arm joint moved. */
import { CONDITIONING } from '../protocol/conditioning.js';
import { jointIndex } from '../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../engine/components.js';
import type { PersonaSession } from '../app/session.js';

const SHOULDER = jointIndex('right_shoulder') * 3 + 2;
const SHOULDER_ROLL = CONDITIONING.jointOffset + SHOULDER;

/**
 * Resolves with ms from now to the first published frame whose right-shoulder roll differs from
 * the pose when this was called (the baseline). Call it just before sending the line.
 */
export const armMovedAfter = (session: PersonaSession): Promise<number> => {
  const baseline = session.world.components.Pose.rotation[session.eid * ROTATION_STRIDE + SHOULDER]!;
  const t0 = performance.now();
  return new Promise<number>((resolve) => {
    const off = session.onFrame((frame) => {
      const roll = frame.conditioning[SHOULDER_ROLL]!;
      if (Math.abs(roll - baseline) > 0.01) {
        off();
        resolve(performance.now() - t0);
      }
    });
  });
};
