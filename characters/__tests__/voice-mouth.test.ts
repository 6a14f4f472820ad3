/**
 * The speech layer plays a voice's mouth timeline on engine time: the mouth opens where the
 * timeline says (relative to when its sound starts), stays closed before and after, and a hush
 * closes it at the next tick; the feeling stays on the face while she talks. Closed lips (m, b, p)
 * show as their own mouth shape, pressed, not as the mouth at rest.
 */
import { describe, expect, it } from 'vitest';
import { channelIndex, EXPRESSION_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import type { MouthEvent } from '../../protocol/voice.js';
import { simulatedPersona } from './session-fixture.js';

const MOUTH = ['aa', 'ih', 'ou', 'ee', 'oh'] as const;
type Session = ReturnType<typeof simulatedPersona>['session'];
const opening = (s: Session) => Math.max(...MOUTH.map((c) => s.world.components.Expression.weight[s.eid * EXPRESSION_CHANNEL_COUNT + channelIndex(c)]!));
const shown = (s: Session, c: Parameters<typeof channelIndex>[0]) => s.world.components.Expression.weight[s.eid * EXPRESSION_CHANNEL_COUNT + channelIndex(c)]!;

// "ah — mm — oh", then rest: 0–300 ms open (aa), 300–500 closed lips, 500–800 open (oh), rest from 800.
const TIMELINE: MouthEvent[] = [
  { atMs: 0, viseme: 'aa', weight: 1 },
  { atMs: 300, viseme: 'mbp', weight: 1 },
  { atMs: 500, viseme: 'oh', weight: 1 },
  { atMs: 800, viseme: 'rest', weight: 0 },
];

describe('the voice drives the mouth', () => {
  it('opens and closes on the timeline, from when the sound starts', () => {
    const { session } = simulatedPersona();
    session.step();
    const startsAt = session.now + 200; // the sound is heard 200 ms from now
    session.say('ah mm oh', { mouth: TIMELINE, startsAt, durationMs: 900 });
    const at = (ms: number) => {
      while (session.now < startsAt + ms) session.step();
      return opening(session);
    };
    expect(at(-60)).toBeLessThan(0.05); // before the sound: closed
    expect(at(250)).toBeGreaterThan(0.5); // "ah"
    expect(at(440)).toBeLessThan(0.15); // "mm": lips closed …
    expect(shown(session, 'mbp')).toBeGreaterThan(0.8); // … and pressed
    expect(at(750)).toBeGreaterThan(0.5); // "oh"
    expect(shown(session, 'oh')).toBeGreaterThan(shown(session, 'aa'));
    expect(at(1100)).toBeLessThan(0.05); // after: closed
    expect(session.state().chart).toContain('speech.silent');
  });

  it('a hush closes the mouth at the next tick; the feeling stays while she talks', () => {
    const { session } = simulatedPersona();
    session.submit({ id: 'h', source: 'user', expression: { name: 'happy', intensity: 1 } });
    for (let i = 0; i < 20; i++) session.step();
    session.say('ah', { mouth: [{ atMs: 0, viseme: 'aa', weight: 1 }], startsAt: session.now, durationMs: 5000 });
    for (let i = 0; i < 10; i++) session.step();
    expect(opening(session)).toBeGreaterThan(0.5);
    expect(shown(session, 'happy')).toBeGreaterThan(0.8);
    expect(session.state().chart).toContain('speech.speaking');
    session.hush();
    session.step();
    expect(session.state().chart).toContain('speech.silent');
    expect(opening(session)).toBeLessThan(0.2); // shutting at the tick of the cut
    for (let i = 0; i < 3; i++) session.step();
    expect(opening(session)).toBeLessThan(0.02);
  });
});
