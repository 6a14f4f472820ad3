/**
 * Animation phase, first: composes each persona's PoseTarget from its BodyLayers — the posture's
 * resting pose at the stance, the gesture keyframe's joints and hands replacing those it names,
 * the keyframe's root offset, what the feeling adds (a tilted or bowed head: over any action, so
 * the action still plays), and the idle weight shift, which leans the upper body a little while
 * the head stays level. Legs and feet never move with it.
 */
import { query } from 'bitecs';
import { HAND_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import { jointIndex } from '../../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import type { PersonaWorld } from '../resources.js';

const SPINE_ROLL = jointIndex('spine') * 3 + 2;
const HEAD_ROLL = jointIndex('head') * 3 + 2;

export const composePoseTarget = (world: PersonaWorld): void => {
  const { BodyLayers: body, PoseTarget } = world.components;
  for (const eid of query(world, [body, PoseTarget])) {
    PoseTarget.rootX[eid] = body.restRootX[eid]! + body.stanceX[eid]! + body.keyRootX[eid]!;
    PoseTarget.rootY[eid] = body.restRootY[eid]! + body.keyRootY[eid]!;
    PoseTarget.rootYaw[eid] = body.restRootYaw[eid]! + body.stanceYaw[eid]! + body.keyRootYaw[eid]!;
    const base = eid * ROTATION_STRIDE;
    for (let k = base; k < base + ROTATION_STRIDE; k++) {
      const key = body.keyRotation[k]!;
      PoseTarget.rotation[k] = (Number.isNaN(key) ? body.restRotation[k]! : key) + body.moodRotation[k]!;
    }
    PoseTarget.rotation[base + SPINE_ROLL]! += 0.035 * body.weightShift[eid]!;
    PoseTarget.rotation[base + HEAD_ROLL]! -= 0.025 * body.weightShift[eid]!;
    for (let k = eid * HAND_CHANNEL_COUNT; k < (eid + 1) * HAND_CHANNEL_COUNT; k++) {
      const key = body.keyHand[k]!;
      PoseTarget.hand[k] = Number.isNaN(key) ? body.restHand[k]! : key;
    }
  }
};
