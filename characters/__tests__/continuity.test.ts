/**
 * Continuity: 10,000 ticks (5.5 simulated minutes) of random directives — actions, interrupts,
 * stops, expressions, gaze, speech. The shown pose must never jump: every joint's angular velocity
 * stays under MAX_JOINT_SPEED, whatever interrupts whatever.
 */
import { describe, expect, it } from 'vitest';
import { JOINTS } from '../../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import { DEFAULT_VOCABULARY } from '../default-vocabulary.js';
import { simulatedPersona } from './session-fixture.js';

/**
 * The bound, rad/s: about 860°/s — a brisk human wrist flick. The springs' peak speed is about
 * 0.74 × (angle to go) / (smoothing time); the quickest keyframes (150 ms claps) and the largest
 * turns (π over 900 ms) both stay under it.
 */
const MAX_JOINT_SPEED = 15;

describe('animation continuity', () => {
  it('10,000 ticks of random directives: no joint moves faster than 15 rad/s, no frame jumps', () => {
    const { session } = simulatedPersona(undefined, { lipSyncText: true });
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const actions = DEFAULT_VOCABULARY.actions.map((a) => a.name);
    const expressions = DEFAULT_VOCABULARY.expressions.map((e) => e.name);
    const dt = session.world.time.dt / 1000;
    const base = session.eid * ROTATION_STRIDE;
    let previous = session.world.components.Pose.rotation.slice(base, base + ROTATION_STRIDE);
    let previousYaw = session.world.components.Pose.rootYaw[session.eid]!;
    let fastest = { speed: 0, joint: '', tick: 0 };
    for (let tick = 0; tick < 10_000; tick++) {
      if (random() < 0.04) {
        const r = random();
        const id = `r${tick}`;
        if (r < 0.6) session.submit({ id, source: 'script', action: { name: pick(actions), repeat: 1 + Math.floor(random() * 3), speed: 0.5 + random() * 1.5 } });
        else if (r < 0.8) session.submit({ id, source: 'script', expression: { name: pick(expressions), intensity: random() } });
        else if (r < 0.9) session.submit({ id, source: 'script', gaze: pick(DEFAULT_VOCABULARY.gaze as never[]) });
        else session.submit({ id, source: 'script', dialogue: 'La la la, a random line to say.' });
      }
      session.step();
      const now = session.world.components.Pose.rotation.subarray(base, base + ROTATION_STRIDE);
      for (let k = 0; k < ROTATION_STRIDE; k++) {
        const speed = Math.abs(now[k]! - previous[k]!) / dt;
        if (speed > fastest.speed) fastest = { speed, joint: `${JOINTS[Math.floor(k / 3)]}[${k % 3}]`, tick };
      }
      const yawSpeed = Math.abs(session.world.components.Pose.rootYaw[session.eid]! - previousYaw) / dt;
      if (yawSpeed > fastest.speed) fastest = { speed: yawSpeed, joint: 'root yaw', tick };
      previous = now.slice();
      previousYaw = session.world.components.Pose.rootYaw[session.eid]!;
    }
    expect(fastest.speed, `fastest: ${JSON.stringify(fastest)}`).toBeLessThan(MAX_JOINT_SPEED);
    expect(fastest.speed).toBeGreaterThan(1); // it did move
    if (process.env.PERSONA_REPORT) console.log(`fastest joint: ${JSON.stringify(fastest)}`);
  });
});
