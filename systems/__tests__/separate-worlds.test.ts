/**
 * Two sessions side by side in one process, as a server with several sessions runs them: each
 * world has its own component rows, so a directive to one never moves the other. Both number
 * their persona entity 1; the second must pose, look and render exactly as it would alone.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PersonaSession } from '../../app/session.js';
import { SimulatedClock } from '../../engine/clock.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import type { PublishedFrame } from '../resources.js';
import { stepAndLand } from './step-and-land.js';

const sessions: PersonaSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.stop()));

const open = (character: string) => {
  const session = new PersonaSession({ character, clock: new SimulatedClock(), width: 128, height: 128 });
  const hashes = new Map<number, string>(); // by frame sequence number
  session.onFrame((f: PublishedFrame) => hashes.set(f.seq, createHash('sha1').update(f.rgba).digest('hex')));
  sessions.push(session);
  return { session, hashes };
};

/** The persona's pose rows as plain numbers: root, every joint rotation, hands. */
const poseRows = (s: PersonaSession) => {
  const { Pose } = s.world.components;
  const base = s.eid * ROTATION_STRIDE;
  return [Pose.rootX[s.eid], Pose.rootY[s.eid], Pose.rootYaw[s.eid], ...Pose.rotation.subarray(base, base + ROTATION_STRIDE)];
};

describe('sessions in one process', () => {
  it('keep their own poses, states and frames: "sit down" in one leaves the other as it would be alone', async () => {
    const aria = open('aria');
    const kai = open('kai');
    const kaiAlone = open('kai'); // the reference: the same character with nothing beside it
    expect(aria.session.eid).toBe(kai.session.eid); // same entity id in each world: only the storage tells them apart
    aria.session.chat('sit down');
    for (let i = 0; i < 45; i++) for (const s of sessions) await stepAndLand(s);
    expect(aria.session.state().posture).toBe('sitting');
    expect(kai.session.state().posture).toBe('standing');
    expect(poseRows(kai.session)).toEqual(poseRows(kaiAlone.session));
    expect(poseRows(aria.session)[1]).toBeLessThan(poseRows(kai.session)[1]! - 0.2); // her hips went down, his did not
    const both = [...kai.hashes.keys()].filter((seq) => kaiAlone.hashes.has(seq));
    expect(both.length).toBeGreaterThan(30);
    for (const seq of both) expect(kai.hashes.get(seq), `frame ${seq}`).toBe(kaiAlone.hashes.get(seq));
    const last = Math.max(...both);
    expect(aria.hashes.get(last)).not.toBe(kai.hashes.get(last));
  });
});
