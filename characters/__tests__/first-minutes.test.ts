/**
 * Behaviour a newcomer runs into in the first minutes (issue 18, items 5 and 6): a dance that
 * never ended and swallowed what was said meanwhile, and a turned back that stayed turned.
 */
import { describe, expect, it } from 'vitest';
import { BACK_TURNED_MS, MAX_LOOP_MS } from '../behaviour-chart.js';
import { jointIndex } from '../../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import { simulatedPersona } from './session-fixture.js';

describe('looping actions', () => {
  it('a dance ends by itself after MAX_LOOP_MS', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    act('dance');
    session.step();
    stepUntil(() => !!find('action.finished', 'dance'), Math.ceil((MAX_LOOP_MS + 3000) / session.world.time.dt));
    const finished = find('action.finished', 'dance')!;
    expect(finished.at - find('action.started', 'dance')!.at).toBeLessThanOrEqual(MAX_LOOP_MS + 1500);
    expect((finished as { interrupted?: boolean }).interrupted).toBeFalsy();
    expect(session.state().action).toBe('idle');
  });

  it('"sit down" during a dance ends the dance and sits, instead of waiting behind it for ever', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    act('dance');
    for (let i = 0; i < 30; i++) session.step();
    act('sit_down');
    session.step();
    expect(find('action.finished', 'dance')).toMatchObject({ interrupted: true });
    stepUntil(() => session.state().posture === 'sitting' && session.state().action === 'idle', 200);
  });

  it('a queued request that an interruption throws away is reported, not dropped silently', () => {
    const { session, act, events } = simulatedPersona();
    act('think');
    session.step();
    act('step_left');
    session.step();
    expect(session.state().queue).toEqual(['step_left']);
    act('wave'); // interrupts think and replaces the queue
    session.step();
    expect(events).toContainEqual(expect.objectContaining({ type: 'action.refused', action: 'step_left', reason: expect.stringMatching(/wave/) }));
    expect(session.state().action).toBe('wave');
  });
});

describe('facing', () => {
  it('after "turn around", a gesture that needs her face turns her back to the camera first', () => {
    const { session, act, stepUntil, find, events } = simulatedPersona();
    act('turn_around');
    stepUntil(() => !!find('action.finished', 'turn_around'));
    expect(session.state().facing).toBe('away');
    act('wave');
    session.step();
    const started = events.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action);
    expect(started.at(-1)).toBe('face_camera');
    stepUntil(() => !!find('action.started', 'wave'));
    expect(session.state().facing).toBe('camera');
  });

  it('an expression asked for with her back turned turns her round to show it', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    act('turn_around');
    stepUntil(() => !!find('action.finished', 'turn_around'));
    session.submit({ id: 'sad', source: 'user', expression: { name: 'sad', intensity: 1 } });
    stepUntil(() => !!find('action.finished', 'face_camera'), 100);
    expect(session.state().facing).toBe('camera');
    expect(session.state().expression).toBe('sad');
  });

  it('turns back to the camera by itself after BACK_TURNED_MS left alone', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    act('turn_around');
    stepUntil(() => !!find('action.finished', 'turn_around'));
    const turnedAt = session.world.time.now;
    stepUntil(() => !!find('action.started', 'face_camera'), Math.ceil((BACK_TURNED_MS + 2000) / session.world.time.dt));
    expect(find('action.started', 'face_camera')!.at - turnedAt).toBeGreaterThanOrEqual(BACK_TURNED_MS - 100);
  });

  it('facing left or right is shown as such, and "face_camera" turns the short way back', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    act('face_left');
    stepUntil(() => !!find('action.finished', 'face_left'));
    expect(session.state().facing).toBe('left');
    act('face_camera');
    stepUntil(() => !!find('action.finished', 'face_camera'));
    expect(session.state().facing).toBe('camera');
  });
});

describe('feelings in the body', () => {
  const head = (s: ReturnType<typeof simulatedPersona>['session']) => {
    const { Pose } = s.world.components;
    const base = s.eid * ROTATION_STRIDE + jointIndex('head') * 3;
    return { pitch: Pose.rotation[base]!, roll: Pose.rotation[base + 2]! };
  };

  it('sad bows the head, confused tilts it; an action still plays on top, and neutral gives it back', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    for (let i = 0; i < 10; i++) session.step();
    const rest = head(session);
    session.submit({ id: 's', source: 'user', expression: { name: 'sad', intensity: 1 } });
    for (let i = 0; i < 30; i++) session.step();
    expect(head(session).pitch - rest.pitch).toBeGreaterThan(0.15);
    act('wave');
    stepUntil(() => !!find('action.started', 'wave'));
    for (let i = 0; i < 20; i++) session.step();
    const { Pose } = session.world.components;
    expect(Pose.rotation[session.eid * ROTATION_STRIDE + jointIndex('right_shoulder') * 3 + 2]).toBeGreaterThan(1.5); // the arm is up
    expect(head(session).pitch - rest.pitch).toBeGreaterThan(0.1); // and the head still hangs
    session.submit({ id: 'c', source: 'user', expression: { name: 'confused', intensity: 1 } });
    stepUntil(() => !!find('action.finished', 'wave'));
    for (let i = 0; i < 30; i++) session.step();
    expect(head(session).roll - rest.roll).toBeGreaterThan(0.12);
    session.submit({ id: 'n', source: 'user', expression: { name: 'neutral', intensity: 1 } });
    for (let i = 0; i < 60; i++) session.step();
    expect(Math.abs(head(session).roll - rest.roll)).toBeLessThan(0.05);
  });
});
