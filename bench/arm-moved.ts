/** Action latency's finish line: the first published frame whose raised-arm joint moved. */
import { CONDITIONING } from '../protocol/conditioning.js';
import { jointIndex } from '../protocol/skeleton.js';
import type { PersonaSession } from '../app/session.js';

const SHOULDER_ROLL = CONDITIONING.jointOffset + jointIndex('right_shoulder') * 3 + 2;

/**
 * Resolves with ms from now to the first published frame whose right-shoulder roll differs from
 * the frame shown when this was called (the baseline). Call it just before sending the line.
 */
export const armMovedAfter = (session: PersonaSession): Promise<number> => {
  let baseline: number | null = null;
  const t0 = performance.now();
  return new Promise<number>((resolve) => {
    const off = session.onFrame((frame) => {
      const roll = frame.conditioning[SHOULDER_ROLL]!;
      baseline ??= roll;
      if (Math.abs(roll - baseline) > 0.01) {
        off();
        resolve(performance.now() - t0);
      }
    });
  });
};
