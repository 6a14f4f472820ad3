/**
 * Animation phase: eases Pose toward PoseTarget with critically damped springs, with breathing
 * laid over the chest and shoulders so a persona at rest still looks alive.
 */
import { query } from 'bitecs';
import { HAND_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import { jointIndex } from '../../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import type { PersonaWorld } from '../resources.js';
import { springStep } from './spring.js';

const BREATH_PERIOD_MS = 4200;
/** Fastest a joint may turn, rad/s (~690°/s, a brisk gesture), and the body may travel, m/s. */
export const MAX_JOINT_SPEED = 12;
const MAX_ROOT_SPEED = 3;
const CHEST_PITCH = jointIndex('chest') * 3;
const LEFT_SHOULDER_ROLL = jointIndex('left_shoulder') * 3 + 2;
const RIGHT_SHOULDER_ROLL = jointIndex('right_shoulder') * 3 + 2;

/**
 * An action starting from rest: each channel gets the velocity of a first-order approach toward its
 * target (ω·distance, capped), unless it already moves that way faster. The spring then starts with a
 * visible step, as an animator's ease-out would, instead of a critically damped spring's slow start.
 */
const kickTowardTarget = (pose: Float32Array, target: Float32Array, velocity: Float32Array, from: number, to: number, smooth: number, maxSpeed: number) => {
  const omega = 2 / Math.max(1e-4, smooth);
  for (let k = from; k < to; k++) {
    const want = Math.max(-maxSpeed, Math.min(maxSpeed, omega * (target[k]! - pose[k]!)));
    if (Math.abs(want) > Math.abs(velocity[k]!) || Math.sign(want) !== Math.sign(velocity[k]!)) velocity[k] = want;
  }
};

export const easePoseTowardTarget = (world: PersonaWorld): void => {
  const { Pose, PoseTarget, PoseVelocity } = world.components;
  const dt = world.time.dt / 1000;
  const breath = Math.sin((world.time.now / BREATH_PERIOD_MS) * 2 * Math.PI);
  for (const eid of query(world, [Pose, PoseTarget, PoseVelocity])) {
    const smooth = PoseTarget.smoothMs[eid]! / 1000;
    const rootSmooth = PoseTarget.rootSmoothMs[eid]! / 1000;
    [Pose.rootX[eid], PoseVelocity.rootX[eid]] = springStep(Pose.rootX[eid]!, PoseTarget.rootX[eid]!, PoseVelocity.rootX[eid]!, rootSmooth, dt, MAX_ROOT_SPEED);
    [Pose.rootY[eid], PoseVelocity.rootY[eid]] = springStep(Pose.rootY[eid]!, PoseTarget.rootY[eid]!, PoseVelocity.rootY[eid]!, rootSmooth, dt, MAX_ROOT_SPEED);
    [Pose.rootYaw[eid], PoseVelocity.rootYaw[eid]] = springStep(Pose.rootYaw[eid]!, PoseTarget.rootYaw[eid]!, PoseVelocity.rootYaw[eid]!, rootSmooth, dt, MAX_JOINT_SPEED);
    const base = eid * ROTATION_STRIDE;
    if (PoseTarget.kick[eid] === 1) {
      PoseTarget.kick[eid] = 0;
      kickTowardTarget(Pose.rotation, PoseTarget.rotation, PoseVelocity.rotation, base, base + ROTATION_STRIDE, smooth, MAX_JOINT_SPEED);
      kickTowardTarget(Pose.hand, PoseTarget.hand, PoseVelocity.hand, eid * HAND_CHANNEL_COUNT, (eid + 1) * HAND_CHANNEL_COUNT, smooth, Infinity);
    }
    for (let k = 0; k < ROTATION_STRIDE; k++) {
      let target = PoseTarget.rotation[base + k]!;
      if (k === CHEST_PITCH) target -= 0.025 * breath;
      else if (k === LEFT_SHOULDER_ROLL || k === RIGHT_SHOULDER_ROLL) target += 0.012 * breath;
      const [value, velocity] = springStep(Pose.rotation[base + k]!, target, PoseVelocity.rotation[base + k]!, smooth, dt, MAX_JOINT_SPEED);
      Pose.rotation[base + k] = value;
      PoseVelocity.rotation[base + k] = velocity;
    }
    for (let k = eid * HAND_CHANNEL_COUNT; k < (eid + 1) * HAND_CHANNEL_COUNT; k++) {
      [Pose.hand[k], PoseVelocity.hand[k]] = springStep(Pose.hand[k]!, PoseTarget.hand[k]!, PoseVelocity.hand[k]!, smooth, dt);
    }
  }
};
