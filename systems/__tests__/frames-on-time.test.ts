/**
 * Frames leave when filled, in order, and the first frame after an action starts already shows
 * it; a real-time loop takes input on arrival (re-phased) instead of at its next tick; and the
 * simulated clock stays deterministic: the same directive timeline gives the same frames.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CONDITIONING } from '../../protocol/conditioning.js';
import { jointIndex } from '../../protocol/skeleton.js';
import { RealClock, SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../../app/session.js';
import type { PublishedFrame } from '../resources.js';
import { stepAndLand } from './step-and-land.js';

const SHOULDER_ROLL = CONDITIONING.jointOffset + jointIndex('right_shoulder') * 3 + 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sessions: PersonaSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.stop()));

const simulated = () => {
  const session = new PersonaSession({ clock: new SimulatedClock(), width: 128, height: 128 });
  sessions.push(session);
  const frames: { seq: number; tick: number; roll: number; hash: string }[] = [];
  session.onFrame((f: PublishedFrame) =>
    frames.push({ seq: f.seq, tick: session.world.time.tick, roll: f.conditioning[SHOULDER_ROLL]!, hash: createHash('sha1').update(f.rgba).digest('hex') }),
  );
  return { session, frames };
};


describe('frames on time', () => {
  it('publishes each frame when its fill lands, before the next tick, in order', async () => {
    const { session, frames } = simulated();
    for (let i = 0; i < 20; i++) await stepAndLand(session);
    expect(frames.length).toBe(20);
    frames.forEach((f, i) => {
      expect(f.seq).toBe(i); // every frame, in order, none skipped
      expect(f.tick).toBe(i + 1); // published before tick i + 2 ran
    });
  });

  it('the first frame after "wave" starts already shows the arm on its way', async () => {
    const { session, frames } = simulated();
    for (let i = 0; i < 5; i++) await stepAndLand(session);
    const rest = frames.at(-1)!.roll;
    session.chat('wave');
    await stepAndLand(session);
    // A spring from rest would move it ~0.01 rad in one tick; the started action moves it visibly.
    expect(Math.abs(frames.at(-1)!.roll - rest)).toBeGreaterThan(0.25);
  });

  it('gives the same frames for the same directive timeline on the simulated clock', async () => {
    const run = async () => {
      const { session, frames } = simulated();
      const timeline: Record<number, string> = { 3: 'wave', 20: 'look sad', 31: 'sit down and then nod', 70: 'stand up' };
      for (let tick = 0; tick < 110; tick++) {
        if (timeline[tick]) session.chat(timeline[tick]!);
        await stepAndLand(session);
      }
      return frames.map((f) => f.hash);
    };
    const first = await run();
    expect(new Set(first).size).toBeGreaterThan(50); // she moved
    expect(await run()).toEqual(first);
  });

  it('in real time, a directive arriving between ticks is taken by a tick at once, and the ticks after keep the fixed rate', async () => {
    const session = new PersonaSession({ clock: new RealClock(), source: null });
    sessions.push(session);
    session.start();
    await sleep(200);
    const dt = session.world.time.dt;
    // Right after a tick, with the next one ~dt away:
    const tick = session.world.time.tick;
    for (let i = 0; i < 200 && session.world.time.tick === tick; i++) await sleep(1);
    await sleep(8);
    const before = session.world.time.tick;
    session.chat('wave');
    expect(session.state().action).toBe('idle');
    await new Promise((r) => setImmediate(r));
    expect(session.world.time.tick).toBe(before + 1); // taken now, not at the tick ~dt later
    expect(session.state().action).toBe('wave');
    const engineAt = session.world.time.now;
    const wallAt = performance.now();
    await sleep(10 * dt);
    const ticks = session.world.time.tick - before - 1;
    const due = (performance.now() - wallAt) / dt;
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(due) - 1); // the rate stays fixed from the new phase on
    expect(ticks).toBeLessThanOrEqual(Math.ceil(due) + 1);
    expect(session.world.time.now - engineAt).toBeCloseTo(ticks * dt, 6);
  });
});
