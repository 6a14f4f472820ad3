/**
 * A reply agrees with what the engine does and with what the user meant: a refused action gets a
 * reply saying why (never its "doing it" line), thanks are not news, and "I'm not happy" is the
 * user's feeling, not a request about her face.
 */
import { describe, expect, it } from 'vitest';
import { CHARACTERS } from '../../characters/index.js';
import { planRequest } from '../../characters/behaviour-plan.js';
import type { CharacterDefinition } from '../../characters/types.js';
import type { PostureName } from '../../characters/vocabulary.js';
import { simulatedPersona } from '../../characters/__tests__/session-fixture.js';
import { EmbeddedInterpreter } from '../embedded-interpreter.js';

const fill = (template: string, name: string) => template.replace(/\{name\}/g, name);
const linesFor = (character: CharacterDefinition, key: string) => (character.lines[key] ?? []).map((l) => fill(l, character.name));

describe.each(CHARACTERS.map((c) => [c.id, c] as const))('%s agrees with the engine', (id, character) => {
  const interpreter = new EmbeddedInterpreter(character);
  const postures: PostureName[] = ['standing', 'sitting'];
  const cases = character.vocabulary.actions.filter((a) => a.kind !== 'control').flatMap((a) => postures.map((p) => [a.name, p] as const));

  it.each(cases)('asks for %s while %s only when the engine would do it', (name, posture) => {
    const plan = planRequest(character.vocabulary, { name }, { posture, activity: { kind: 'idle' }, queue: [] });
    const { directives, reply } = interpreter.interpret(name.replace(/_/g, ' '), { posture, action: 'idle', queue: [] });
    if (plan.kind === 'refuse') {
      expect(directives.filter((d) => d.action)).toEqual([]);
      expect(linesFor(character, name)).not.toContain(reply);
      expect(reply).toMatch(/already|can't|cannot/i);
    } else {
      expect(directives.map((d) => d.action?.name)).toEqual([name]);
      expect(reply).not.toMatch(/already|can't|cannot/i);
    }
  });

  it('says it is already standing instead of "on my feet again", and the engine refuses nothing', () => {
    const persona = simulatedPersona(id);
    const say = (line: string) => {
      const result = interpreter.interpret(line, persona.session.state());
      for (const d of result.directives) persona.session.submit(d);
      persona.session.step();
      persona.stepUntil(() => persona.session.state().action === 'idle' && persona.session.state().queue.length === 0);
      return result;
    };
    const up = say('stand up');
    expect(up.directives).toEqual([]);
    expect(up.reply).toMatch(/already/i);
    expect(linesFor(character, 'stand_up')).not.toContain(up.reply);

    const sit = say('sit down');
    expect(sit.directives.map((d) => d.action?.name)).toEqual(['sit_down']);
    expect(linesFor(character, 'sit_down')).toContain(sit.reply);

    expect(say('sit down').reply).toMatch(/already/i);
    const step = say('step left');
    expect(step.directives).toEqual([]);
    expect(step.reply).toMatch(/stand up/i);

    const both = say('stand up and then step left');
    expect(both.directives.map((d) => d.action?.name)).toEqual(['stand_up', 'step_left']);
    expect(persona.events.filter((e) => e.type === 'action.refused')).toEqual([]);
  });

  it('counts queued posture changes and earlier steps of the same line', () => {
    expect(interpreter.interpret('sit down', { posture: 'standing', action: 'wave', queue: ['sit_down'] }).directives).toEqual([]);
    const twice = interpreter.interpret('sit down and then sit down');
    expect(twice.directives.map((d) => d.action?.name)).toEqual(['sit_down']);
    expect(twice.reply).toMatch(/already/i);
  });

  it('hears "I\'m not happy" as the user\'s feeling and answers with sympathy', () => {
    for (const line of ["I'm not happy", 'I am not happy', "I'm sad", "i don't feel good", "I'm not feeling great today", 'I feel awful']) {
      const { directives, reply, news } = interpreter.interpret(line);
      expect(directives.map((d) => d.expression?.name), line).toEqual(['sad']);
      expect(directives[0]!.action).toBeUndefined();
      expect(reply, line).not.toMatch(/no happy face|okay, no/i);
      expect(linesFor(character, 'feel_bad'), line).toContain(reply);
      expect(news).toBe(true);
    }
  });

  it('is glad when the user feels good', () => {
    for (const line of ["I'm happy", 'I feel great', "I'm so excited"]) {
      const { directives, reply } = interpreter.interpret(line);
      expect(directives.map((d) => d.expression?.name), line).toEqual(['happy']);
      expect([...linesFor(character, 'feel_good'), ...linesFor(character, 'news.happy')], line).toContain(reply);
    }
  });

  it('is happy for the user about a new job', () => {
    for (const line of ['I got a new job!', 'I just started a new job', 'I bought a house']) {
      const { directives, reply, news } = interpreter.interpret(line);
      expect(directives.map((d) => d.expression?.name), line).toEqual(['happy']);
      expect(linesFor(character, 'news.happy'), line).toContain(reply);
      expect(news).toBe(true);
    }
  });

  it('answers thanks as thanks, not as news', () => {
    const { reply } = interpreter.interpret('thank you!');
    expect(linesFor(character, 'thanks')).toContain(reply);
  });
});
