/**
 * The behaviour chart running in a real world on the simulated clock: directives in, chart state,
 * pose targets and engine events out.
 */
import { describe, expect, it } from 'vitest';
import { channelIndex, EXPRESSION_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import type { EngineEvent } from '../../protocol/events.js';
import { jointIndex } from '../../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import { SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../../app/session.js';
import { DEFAULT_VOCABULARY, findAction, gestureDuration, type GestureAction } from '../vocabulary.js';

const setup = () => {
  const session = new PersonaSession({ clock: new SimulatedClock(), source: null });
  const events: EngineEvent[] = [];
  session.onEvent((e) => events.push(e));
  return { session, events, dt: session.world.time.dt };
};

const shoulderRoll = (eid: number, column: Float32Array) => column[eid * ROTATION_STRIDE + jointIndex('right_shoulder') * 3 + 2]!;

describe('behaviour chart', () => {
  it('starts wave within one tick of its directive and returns to idle after its duration', () => {
    const { session, events, dt } = setup();
    session.step();
    const restTarget = shoulderRoll(session.eid, session.world.components.PoseTarget.rotation);
    session.submit({ id: 'd1', source: 'user', action: { name: 'wave' } });
    session.step();
    const startedAt = session.world.time.now;
    expect(session.state().action).toBe('wave');
    expect(events).toContainEqual(expect.objectContaining({ type: 'action.started', action: 'wave', directiveId: 'd1' }));
    expect(shoulderRoll(session.eid, session.world.components.PoseTarget.rotation)).toBeGreaterThan(restTarget + 2);

    const duration = gestureDuration(findAction(DEFAULT_VOCABULARY, 'wave') as GestureAction);
    while (session.world.time.now < startedAt + duration - dt) session.step();
    expect(session.state().action).toBe('wave');
    session.step();
    session.step();
    expect(session.state().action).toBe('idle');
    const finished = events.find((e) => e.type === 'action.finished');
    expect(finished?.at).toBeGreaterThanOrEqual(startedAt + duration);
    expect(finished!.at - (startedAt + duration)).toBeLessThanOrEqual(dt);
    expect(shoulderRoll(session.eid, session.world.components.PoseTarget.rotation)).toBeCloseTo(restTarget, 5);
  });

  it('eases the pose toward the target without a pop', () => {
    const { session } = setup();
    session.submit({ id: 'd1', source: 'user', action: { name: 'wave' } });
    let previous = shoulderRoll(session.eid, session.world.components.Pose.rotation);
    let biggestStep = 0;
    for (let i = 0; i < 20; i++) {
      session.step();
      const now = shoulderRoll(session.eid, session.world.components.Pose.rotation);
      biggestStep = Math.max(biggestStep, Math.abs(now - previous));
      previous = now;
    }
    expect(previous).toBeGreaterThan(2); // arm is up
    expect(biggestStep).toBeLessThan(0.6); // < 0.6 rad per 33 ms tick: moved over several ticks, not jumped
  });

  it('repeats a nod as asked: twice takes one cycle longer than once', () => {
    const nod = findAction(DEFAULT_VOCABULARY, 'nod') as GestureAction;
    const run = (repeat: number) => {
      const { session, events } = setup();
      session.submit({ id: 'n', source: 'user', action: { name: 'nod', repeat } });
      for (let i = 0; i < 120 && !events.some((e) => e.type === 'action.finished'); i++) session.step();
      const started = events.find((e) => e.type === 'action.started')!.at;
      return events.find((e) => e.type === 'action.finished')!.at - started;
    };
    const cycle = nod.cycle.reduce((s, k) => s + k.ms, 0);
    expect(run(2) - run(1)).toBeGreaterThanOrEqual(cycle - 34);
    expect(run(2) - run(1)).toBeLessThanOrEqual(cycle + 34);
  });

  it('sits down, refuses to sit again, and stands up', () => {
    const { session, events } = setup();
    const hipsStanding = session.world.components.PoseTarget.rootY[session.eid]!;
    session.submit({ id: 's1', source: 'user', action: { name: 'sit_down' } });
    for (let i = 0; i < 40; i++) session.step();
    expect(session.state().posture).toBe('sitting');
    expect(session.world.components.Pose.rootY[session.eid]).toBeLessThan(hipsStanding - 0.2);
    session.submit({ id: 's2', source: 'user', action: { name: 'sit_down' } });
    session.step();
    expect(events).toContainEqual(expect.objectContaining({ type: 'action.refused', action: 'sit_down', reason: 'already sitting' }));
    session.submit({ id: 's3', source: 'user', action: { name: 'stand_up' } });
    for (let i = 0; i < 40; i++) session.step();
    expect(session.state().posture).toBe('standing');
    expect(events.filter((e) => e.type === 'action.finished').map((e) => (e as { action: string }).action)).toEqual(['sit_down', 'stand_up']);
  });

  it('shows an expression at its intensity, then decays back to neutral after the hold', () => {
    const { session } = setup();
    const sad = session.eid * EXPRESSION_CHANNEL_COUNT + channelIndex('sad');
    session.submit({ id: 'e', source: 'user', expression: { name: 'sad', intensity: 0.7, holdMs: 1000 } });
    session.step();
    expect(session.state().expression).toBe('sad');
    expect(session.world.components.ExpressionTarget.weight[sad]).toBeCloseTo(0.7, 5);
    for (let i = 0; i < 20; i++) session.step();
    expect(session.world.components.Expression.weight[sad]).toBeGreaterThan(0.6);
    for (let i = 0; i < 40; i++) session.step(); // past the 1 s hold and the release ease
    expect(session.state().expression).toBe('neutral');
    expect(session.world.components.ExpressionTarget.weight[sad]).toBe(0);
    expect(session.world.components.Expression.weight[sad]).toBeLessThan(0.05);
  });

  it('blinks every 2 to 6 seconds over a simulated hour', () => {
    const { session, dt } = setup();
    const blink = session.eid * EXPRESSION_CHANNEL_COUNT + channelIndex('blinkLeft');
    const closings: number[] = [];
    let wasClosed = false;
    const ticks = (60 * 60 * 1000) / dt;
    for (let i = 0; i < ticks; i++) {
      session.step();
      const closed = session.world.components.ExpressionTarget.weight[blink]! > 0.5;
      if (closed && !wasClosed) closings.push(session.world.time.now);
      wasClosed = closed;
    }
    const gaps = closings.slice(1).map((t, i) => t - closings[i]!);
    expect(closings.length).toBeGreaterThan(600);
    // Gap = blink length (120 ms) + a 2–6 s wait, each rounded up to a tick.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(6000 + 120 + 2 * dt);
  });

  it('rejects a directive outside the vocabulary, saying what is known', () => {
    const { session } = setup();
    expect(() => session.submit({ id: 'x', source: 'user', action: { name: 'moonwalk' } })).toThrow(/unknown action "moonwalk"; known: wave, nod/);
    expect(() => session.submit({ id: 'x', source: 'user', expression: { name: 'sad', intensity: 3 } })).toThrow(/expression\.intensity/);
  });
});
