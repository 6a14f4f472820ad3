import { describe, expect, it } from 'vitest';
import { directiveSchemaFor } from '../../protocol/directive.js';
import { ARIA } from '../../characters/aria.js';
import { actionNames, expressionNames } from '../../characters/vocabulary.js';
import { EmbeddedInterpreter } from '../embedded-interpreter.js';

type Expected = { action?: string; repeat?: number; expression?: string; intensity?: number; gaze?: string }[];

// Each line and the directives it must produce, in order.
const PHRASINGS: [string, Expected][] = [
  ['wave', [{ action: 'wave' }]],
  ['Wave!', [{ action: 'wave' }]],
  ['please wave', [{ action: 'wave' }]],
  ['could you wave at the camera?', [{ action: 'wave' }]],
  ['say hi', [{ action: 'wave' }]],
  ['wave hello to everyone', [{ action: 'wave' }]],
  ['wave twice', [{ action: 'wave', repeat: 2 }]],
  ['wave three times', [{ action: 'wave', repeat: 3 }]],
  ['wave 4 times', [{ action: 'wave', repeat: 4 }]],
  ['nod', [{ action: 'nod' }]],
  ['nod twice', [{ action: 'nod', repeat: 2 }]],
  ['can you nod your head', [{ action: 'nod' }]],
  ['nod once', [{ action: 'nod', repeat: 1 }]],
  ['sit down', [{ action: 'sit_down' }]],
  ['please sit down', [{ action: 'sit_down' }]],
  ['take a seat', [{ action: 'sit_down' }]],
  ['have a seat, Aria', [{ action: 'sit_down' }]],
  ['stand up', [{ action: 'stand_up' }]],
  ['get up please', [{ action: 'stand_up' }]],
  ['Stand up!', [{ action: 'stand_up' }]],
  ['look sad', [{ expression: 'sad', intensity: 0.8 }]],
  ['look very sad', [{ expression: 'sad', intensity: 1 }]],
  ['look a little sad', [{ expression: 'sad', intensity: 0.35 }]],
  ['be happy', [{ expression: 'happy' }]],
  ['smile', [{ expression: 'happy' }]],
  ['look surprised', [{ expression: 'surprised' }]],
  ['act shocked', [{ expression: 'surprised' }]],
  ['look neutral', [{ expression: 'neutral', intensity: 0 }]],
  ['look at me', [{ gaze: 'camera' }]],
  ['look left', [{ gaze: 'left' }]],
  ['look to the right', [{ gaze: 'right' }]],
  ['sit down and then wave', [{ action: 'sit_down' }, { action: 'wave' }]],
  ['stand up, then nod twice', [{ action: 'stand_up' }, { action: 'nod', repeat: 2 }]],
  ['wave and look happy', [{ action: 'wave' }, { expression: 'happy' }]],
  ["don't wave", []],
  ['do not sit down', []],
];

describe('embedded interpreter', () => {
  const interpreter = new EmbeddedInterpreter(ARIA);
  const schema = directiveSchemaFor({ actions: actionNames(ARIA.vocabulary), expressions: expressionNames(ARIA.vocabulary) });

  it.each(PHRASINGS)('"%s"', (line, expected) => {
    const { directives, reply } = interpreter.interpret(line);
    const got = directives.map((d) => ({
      ...(d.action && { action: d.action.name }),
      ...(d.action?.repeat !== undefined && { repeat: d.action.repeat }),
      ...(d.expression && { expression: d.expression.name }),
      ...(d.gaze && { gaze: d.gaze }),
    }));
    const want = expected.map(({ intensity: _, ...rest }) => rest);
    expect(got).toEqual(want);
    expected.forEach((e, i) => {
      if (e.intensity !== undefined) expect(directives[i]!.expression!.intensity).toBe(e.intensity);
    });
    for (const d of directives) expect(schema.safeParse(d).success).toBe(true);
    expect(reply.length).toBeGreaterThan(0);
  });

  it('answers a line it does not understand kindly, with no action', () => {
    const { directives, reply } = interpreter.interpret('what is the capital of Peru?');
    expect(directives).toEqual([]);
    expect(reply).toMatch(/not sure|didn't catch/i);
    expect(reply).toMatch(/wave/);
  });

  it('acknowledges a negated request instead of acting', () => {
    const { directives, reply } = interpreter.interpret("please don't wave");
    expect(directives).toEqual([]);
    expect(reply).toMatch(/wave/);
  });

  it('replies in the character voice', () => {
    expect(ARIA.lines.wave).toContain(interpreter.interpret('wave').reply);
    expect(ARIA.lines.sit_down).toContain(interpreter.interpret('sit down').reply);
  });
});
