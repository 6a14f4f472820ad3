/** The worked example of docs/behaviour.md: a character that customizes the default chart and adds an action. */
import { describe, expect, it } from 'vitest';
import { channelIndex, EXPRESSION_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import { EmbeddedInterpreter } from '../../persona/embedded-interpreter.js';
import { SLEEPY_ARIA } from '../examples/sleepy-aria.js';
import { simulatedPersona } from './session-fixture.js';

describe('a character with its own behaviour (sleepy-aria)', () => {
  it('blinks on its own slower rhythm: every 4–8 s', () => {
    const { session, dt } = simulatedPersona('sleepy-aria');
    const blink = session.eid * EXPRESSION_CHANNEL_COUNT + channelIndex('blinkLeft');
    const closings: number[] = [];
    let wasClosed = false;
    for (let i = 0; i < (10 * 60 * 1000) / dt; i++) {
      session.step();
      const closed = session.world.components.ExpressionTarget.weight[blink]! > 0.5;
      if (closed && !wasClosed) closings.push(session.world.time.now);
      wasClosed = closed;
    }
    const gaps = closings.slice(1).map((t, i) => t - closings[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(8000 + 260 + 2 * dt);
  });

  it('dozes off by itself sooner, with one of its own fidgets', () => {
    const { session, events, stepUntil } = simulatedPersona('sleepy-aria');
    stepUntil(() => events.some((e) => e.type === 'action.started' && e.directiveId === 'fidget'), 30 * 20);
    const fidget = events.find((e) => e.type === 'action.started' && e.directiveId === 'fidget') as { action: string; at: number };
    expect(fidget.at).toBeGreaterThanOrEqual(10_000);
    expect(fidget.at).toBeLessThanOrEqual(14_100);
    expect(SLEEPY_ARIA.behaviour!.fidgets).toContain(fidget.action);
    expect(session.state().chart.some((p) => p.startsWith('activity.gesturing'))).toBe(true);
  });

  it('knows its extra action: "take a nap" is understood and played, and the default character refuses it', () => {
    const { session, act, stepUntil, find } = simulatedPersona('sleepy-aria');
    const { directives } = new EmbeddedInterpreter(SLEEPY_ARIA).interpret('could you take a nap?');
    expect(directives[0]?.action?.name).toBe('nap');
    act('nap');
    session.step();
    expect(session.state().action).toBe('nap');
    stepUntil(() => !!find('action.finished', 'nap'));
    expect(session.state().expression).toBe('sleepy'); // its baseline mood
    expect(() => simulatedPersona().act('nap')).toThrow(/unknown action "nap"/);
  });
});
