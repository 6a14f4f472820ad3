/** The parts of the chart that run by themselves: fidgets, glances, speech, and face layers. */
import { describe, expect, it } from 'vitest';
import { channelIndex, EXPRESSION_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import { FIDGET_AFTER_MS, GAZE_HOLD_MS } from '../behaviour-chart.js';
import { simulatedPersona } from './session-fixture.js';

type Session = ReturnType<typeof simulatedPersona>['session'];
/** A channel's weight in the session's world: the shown Expression, or the 'target'. */
const weight = (session: Session, channel: Parameters<typeof channelIndex>[0], column: 'shown' | 'target' = 'shown') =>
  (column === 'shown' ? session.world.components.Expression : session.world.components.ExpressionTarget).weight[session.eid * EXPRESSION_CHANNEL_COUNT + channelIndex(channel)]!;

describe('idle life', () => {
  it('fidgets after about 20 s without input, and any request resets that wait', () => {
    const { session, events, act, stepUntil } = simulatedPersona();
    const fidgets = () => events.filter((e) => e.type === 'action.started' && e.directiveId === 'fidget');
    stepUntil(() => session.world.time.now >= 12_000);
    act('nod'); // input at 12 s: no fidget before 12 s + 17 s
    stepUntil(() => fidgets().length > 0, 40 * 30);
    const first = fidgets()[0]!;
    expect(first.at).toBeGreaterThanOrEqual(12_000 + FIDGET_AFTER_MS - 3_000);
    expect(first.at).toBeLessThanOrEqual(12_000 + FIDGET_AFTER_MS + 3_000 + 100);
    expect(['look_around', 'stretch']).toContain((first as { action: string }).action);
  });

  it('glances away now and then but comes back to the camera; a directed look holds, then returns', () => {
    const { session, stepUntil } = simulatedPersona();
    const lookX = () => Math.abs(weight(session, 'lookX', 'target'));
    let glanced = 0;
    let atCamera = 0;
    for (let i = 0; i < 30 * 60; i++) {
      session.step();
      if (lookX() > 0.3) glanced++;
      else atCamera++;
    }
    expect(glanced).toBeGreaterThan(30); // some glances in a minute
    expect(atCamera).toBeGreaterThan(glanced * 3); // mostly attentive
    session.submit({ id: 'g', source: 'user', gaze: 'left' });
    session.step();
    expect(weight(session, 'lookX', 'target')).toBeLessThan(-0.8);
    expect(session.state().chart).toContain('gaze.directed');
    const lookedAt = session.world.time.now;
    stepUntil(() => session.state().chart.some((p) => p.startsWith('gaze.attentive')));
    expect(session.world.time.now - lookedAt).toBeGreaterThanOrEqual(GAZE_HOLD_MS - 34);
  });

  it('moves the mouth while it speaks its reply (lipSyncText), and closes it afterwards', () => {
    const { session, stepUntil } = simulatedPersona(undefined, { lipSyncText: true });
    session.submit({ id: 's', source: 'user', dialogue: 'Hello there, how are you today?' });
    let open = 0;
    for (let i = 0; i < 45; i++) {
      session.step();
      const mouth = Math.max(...(['aa', 'ih', 'ou', 'ee', 'oh'] as const).map((v) => weight(session, v)));
      if (mouth > 0.3) open++;
    }
    expect(session.state().chart).toContain('speech.speaking');
    expect(open).toBeGreaterThan(5);
    stepUntil(() => session.state().chart.includes('speech.silent'));
    for (let i = 0; i < 10; i++) session.step();
    expect(weight(session, 'aa')).toBeLessThan(0.05);
  });

  it('layers the face: a gesture face shows over the emotion while it plays, then the emotion returns', () => {
    const { session, act, stepUntil, find } = simulatedPersona();
    session.submit({ id: 'f', source: 'user', expression: { name: 'sad', intensity: 0.9, holdMs: 20_000 } });
    for (let i = 0; i < 20; i++) session.step();
    expect(weight(session, 'sad')).toBeGreaterThan(0.8);
    act('laugh'); // its face is happy at full intensity
    for (let i = 0; i < 15; i++) session.step();
    expect(weight(session, 'happy')).toBeGreaterThan(0.8);
    expect(weight(session, 'sad')).toBeLessThan(0.1);
    stepUntil(() => !!find('action.finished', 'laugh'));
    for (let i = 0; i < 40; i++) session.step();
    expect(weight(session, 'sad')).toBeGreaterThan(0.8);
    expect(weight(session, 'happy')).toBeLessThan(0.1);
  });

  it('maps every expression onto face channels, scaled by intensity', () => {
    const { session } = simulatedPersona();
    session.submit({ id: 'e', source: 'user', expression: { name: 'embarrassed', intensity: 0.5 } });
    session.step();
    expect(weight(session, 'blush', 'target')).toBeCloseTo(0.5, 5);
    expect(weight(session, 'sweat', 'target')).toBeCloseTo(0.4, 5);
  });
});
