/**
 * Every action of the default vocabulary, on the simulated clock: it starts within one tick of
 * its directive, lasts its duration (times repeat, over speed), and returns to idle; posture
 * rules, interrupts, the queue and `stop`.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_VOCABULARY } from '../default-vocabulary.js';
import { gestureDuration, type GestureAction } from '../vocabulary.js';
import { MAX_QUEUED } from '../behaviour-plan.js';
import { simulatedPersona } from './session-fixture.js';

const gestures = DEFAULT_VOCABULARY.actions.filter((a): a is GestureAction => a.kind === 'gesture');

describe('the default vocabulary', () => {
  it('has the 26 actions, the controls, 12 expressions and the gaze targets', () => {
    const names = DEFAULT_VOCABULARY.actions.map((a) => a.name);
    const required = 'wave nod shake_head bow sit_down stand_up turn_around face_left face_right face_camera point clap shrug think cross_arms thumbs_up facepalm jump dance step_left step_right stretch yawn laugh cry look_around stop idle';
    expect(names).toEqual(expect.arrayContaining(required.split(' ')));
    expect(DEFAULT_VOCABULARY.expressions.map((e) => e.name)).toEqual(
      expect.arrayContaining('neutral happy sad angry surprised relaxed confused embarrassed scared thinking disgusted sleepy'.split(' ')),
    );
    expect(DEFAULT_VOCABULARY.gaze).toEqual(['camera', 'user', 'left', 'right', 'up', 'down', 'away']);
    for (const action of DEFAULT_VOCABULARY.actions) expect(action.synonyms.length, action.name).toBeGreaterThan(2);
  });

  it.each(gestures.filter((g) => !g.loop).map((g) => [g.name, g] as const))(
    '%s starts within one tick, lasts its duration × repeat ÷ speed, and returns to idle',
    (name, action) => {
      const { session, act, stepUntil, find, dt } = simulatedPersona();
      const repeat = 2;
      const speed = 1.5;
      act(name, { repeat, speed });
      session.step();
      const started = find('action.started', name);
      expect(started, 'started on the first tick').toBeDefined();
      expect(session.state().action).toBe(name);
      stepUntil(() => !!find('action.finished', name));
      const finished = find('action.finished', name)!;
      const duration = gestureDuration(action, repeat, speed);
      expect(finished.at - started!.at).toBeGreaterThanOrEqual(duration - 1e-6);
      expect(finished.at - started!.at).toBeLessThanOrEqual(duration + dt);
      expect(session.state().action).toBe('idle');
      expect(session.state().chart).toContain('activity.idle');
    },
  );

  it('a looping action (dance) goes on past its cycles until `stop`, which ends it within one tick', () => {
    const { session, act, stepUntil, find, events } = simulatedPersona();
    const dance = gestures.find((g) => g.name === 'dance')!;
    act('dance');
    stepUntil(() => session.world.time.now > gestureDuration(dance) * 3);
    expect(session.state().action).toBe('dance');
    expect(find('action.finished', 'dance')).toBeUndefined();
    act('stop');
    session.step();
    expect(events).toContainEqual(expect.objectContaining({ type: 'action.finished', action: 'dance', interrupted: true }));
    expect(session.state().action).toBe('idle');
  });

  it('sit_down and stand_up take their time and move the posture', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    act('sit_down');
    session.step();
    expect(find('action.started', 'sit_down')).toBeDefined();
    // On the way down: the chart's one posture is where she is going, and the activity says she moves.
    expect(session.state()).toMatchObject({ posture: 'sitting', action: 'sit_down', chart: expect.arrayContaining(['activity.changingPosture']) });
    stepUntil(() => !!find('action.finished', 'sit_down'));
    expect(find('action.finished', 'sit_down')!.at - find('action.started', 'sit_down')!.at).toBeCloseTo(900, -2);
    expect(session.state().posture).toBe('sitting');
    act('stand_up');
    stepUntil(() => !!find('action.finished', 'stand_up'));
    expect(session.state().posture).toBe('standing');
  });

  it('gets up first for an action that needs standing (sitting + jump → stand up, then jump)', () => {
    const { session, act, stepUntil, find, events } = simulatedPersona();
    act('sit_down');
    stepUntil(() => !!find('action.finished', 'sit_down'));
    act('jump');
    session.step();
    expect(find('action.started', 'stand_up')).toBeDefined();
    expect(session.state().queue).toEqual(['jump']);
    stepUntil(() => !!find('action.finished', 'jump'));
    const order = events.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action);
    expect(order).toEqual(['sit_down', 'stand_up', 'jump']);
    expect(find('action.started', 'jump')!.at).toBeGreaterThanOrEqual(find('action.finished', 'stand_up')!.at);
  });

  it('refuses what its definition refuses, with a reason (no stepping while sitting, no sitting twice)', () => {
    const { session, act, stepUntil, find, events } = simulatedPersona();
    act('sit_down');
    stepUntil(() => !!find('action.finished', 'sit_down'));
    act('step_left');
    act('sit_down');
    session.step();
    const refusals = events.filter((e) => e.type === 'action.refused');
    expect(refusals).toEqual([
      expect.objectContaining({ action: 'step_left', reason: "can't step left while sitting" }),
      expect.objectContaining({ action: 'sit_down', reason: 'already sitting' }),
    ]);
    expect(session.state().action).toBe('idle');
  });

  it('an interrupting action cancels the running one; a queuing one waits its turn', () => {
    const { session, act, stepUntil, find, events } = simulatedPersona();
    act('wave');
    for (let i = 0; i < 5; i++) session.step();
    act('nod');
    session.step();
    expect(events).toContainEqual(expect.objectContaining({ type: 'action.finished', action: 'wave', interrupted: true }));
    expect(session.state().action).toBe('nod');
    act('step_right'); // queues: it does not interrupt
    session.step();
    expect(session.state().queue).toEqual(['step_right']);
    expect(session.state().action).toBe('nod');
    stepUntil(() => !!find('action.started', 'step_right'));
    expect(find('action.started', 'step_right')!.at).toBeGreaterThanOrEqual(find('action.finished', 'nod')!.at);
  });

  it('holds at most MAX_QUEUED steps waiting; past that a request is refused, saying why', () => {
    const { session, act, events } = simulatedPersona();
    act('think');
    session.step();
    for (let i = 0; i < 6000; i++) act(i % 2 ? 'step_left' : 'step_right', { queue: true });
    session.step();
    expect(session.state().queue.length).toBe(MAX_QUEUED);
    const refused = events.filter((e) => e.type === 'action.refused');
    expect(refused.length).toBe(6000 - MAX_QUEUED);
    expect((refused[0] as { reason: string }).reason).toMatch(/already have 8 things lined up/);
  });

  it('`stop` cancels the running action and clears the queue', () => {
    const { session, act } = simulatedPersona();
    act('think');
    session.step();
    act('step_left');
    act('step_right');
    session.step();
    expect(session.state().queue).toEqual(['step_left', 'step_right']);
    act('stop');
    session.step();
    expect(session.state()).toMatchObject({ action: 'idle', queue: [] });
  });

  it('every action is reachable from idle in every posture, or refused there with a reason', () => {
    for (const posture of ['standing', 'sitting'] as const) {
      for (const action of DEFAULT_VOCABULARY.actions) {
        if (action.kind === 'control') continue;
        const { session, act, stepUntil, find } = simulatedPersona();
        if (posture === 'sitting') {
          act('sit_down');
          stepUntil(() => !!find('action.finished', 'sit_down'));
        }
        act(action.name);
        stepUntil(() => !!find('action.started', action.name) || !!find('action.refused', action.name), 200);
        const refused = find('action.refused', action.name) as { reason: string } | undefined;
        if (refused) expect(refused.reason, `${action.name} while ${posture}`).toMatch(/^(can't .+ while \w+|already \w+)$/);
        else expect(find('action.started', action.name), `${action.name} while ${posture}`).toBeDefined();
        expect(session.state().chart.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('sequences', () => {
  it('a queued request waits for the running action even when it would interrupt', () => {
    const { session, stepUntil, find } = simulatedPersona();
    session.submit({ id: 'a', source: 'user', action: { name: 'face_left' } });
    session.submit({ id: 'b', source: 'user', action: { name: 'wave', queue: true } });
    session.step();
    expect(session.state()).toMatchObject({ action: 'face_left', queue: ['wave'] });
    stepUntil(() => !!find('action.started', 'wave'));
    expect((find('action.finished', 'face_left') as { interrupted?: boolean }).interrupted).toBeUndefined();
    expect(find('action.started', 'wave')!.at).toBeGreaterThanOrEqual(find('action.finished', 'face_left')!.at);
  });
});
