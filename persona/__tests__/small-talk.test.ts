/**
 * The first things people type, without an LLM: greetings, who are you, how are you, help,
 * thanks and goodbyes, plus emoji and short forms. Each gets an answer in the character's voice.
 */
import { describe, expect, it } from 'vitest';
import { CHARACTERS } from '../../characters/index.js';
import type { CharacterDefinition } from '../../characters/types.js';
import { importCard } from '../character-card.js';
import { EmbeddedInterpreter } from '../embedded-interpreter.js';

const imported = importCard({ name: 'Zed', description: 'Zed is a grumpy lighthouse keeper.' }).definition;
const ALL: CharacterDefinition[] = [...CHARACTERS, imported];

const summary = (interpreter: EmbeddedInterpreter, line: string) => {
  const { directives, reply } = interpreter.interpret(line);
  return {
    reply,
    did: directives.map((d) => d.action?.name ?? (d.expression ? `face:${d.expression.name}` : d.gaze ? `gaze:${d.gaze}` : '?')),
  };
};

describe.each(ALL.map((c) => [c.id, c] as const))('%s, first five minutes', (_id, character) => {
  const interpreter = new EmbeddedInterpreter(character);
  const fallback = new Set((character.lines.unknown ?? []).map((l) => l.replace(/\{name\}/g, character.name)));
  const understood = (line: string) => {
    const result = summary(interpreter, line);
    expect(fallback.has(result.reply), `"${line}" got the fallback`).toBe(false);
    expect(result.reply).not.toMatch(/not sure what you mean|didn't catch|did not quite follow/i);
    return result;
  };

  it.each(['hi', 'hello!', 'hey', 'hey there', 'good morning', `hi ${character.name}`, 'hiya', 'yo', '👋'])('greets back and waves at "%s"', (line) => {
    const { did, reply } = understood(line);
    expect(did).toEqual(['wave']);
    expect(reply).not.toMatch(/congratulations/i);
  });

  it.each(['who are you?', "what's your name?", 'what is your name', 'introduce yourself', 'tell me about yourself'])('introduces itself when asked "%s"', (line) => {
    const { did, reply } = understood(line);
    expect(did).toEqual([]);
    expect(reply).toContain(character.name);
  });

  it('introduces itself from its personality', () => {
    const { reply } = understood('who are you?');
    // The personality's first sentence ("Kai is a relaxed … skater …") becomes "I'm Kai, a relaxed … skater …".
    const about = character.personality.split(/(?<=[.!?])\s/)[0]!.replace(/^.*? is /, '').replace(/\.$/, '');
    expect(reply).toContain(about);
  });

  it('greets and introduces itself in one line', () => {
    const { did, reply } = understood('hi! who are you?');
    expect(did).toEqual(['wave']);
    expect(reply).toContain(character.name);
  });

  it.each(['how are you?', 'how are you doing', "how's it going?", 'hru', "what's up"])('answers "%s" without the fallback', (line) => {
    const { did, reply } = understood(line);
    expect(did).toEqual([]);
    expect(reply).toMatch(/\?|you/i); // asks back
  });

  it.each(['help', 'what can you do?', 'what can I say?', 'how does this work?', 'help me'])('says what it can do when asked "%s"', (line) => {
    const { did, reply } = understood(line);
    expect(did).toEqual([]);
    // A few example lines, each one the interpreter itself understands as an action or a face.
    const examples = [...reply.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(interpreter.interpret(example).directives.length, example).toBeGreaterThan(0);
  });

  it.each(['thank you!', 'thanks', 'thx', 'ty', 'thanks a lot', 'thank you so much'])('takes thanks kindly: "%s"', (line) => {
    const { did, reply } = understood(line);
    expect(did).toEqual(['face:happy']);
    expect(reply).not.toMatch(/congratulations|happy for you|news/i);
  });

  it.each(['bye', 'goodbye!', 'see you later', 'good night', 'cya'])('waves goodbye at "%s"', (line) => {
    const { did, reply } = understood(line);
    expect(did).toEqual(['wave']);
    expect(reply).not.toMatch(/^(hi|hello)\b/i);
  });

  it('greets without waving when the same line asks for something else', () => {
    expect(summary(interpreter, 'hey, could you sit down?').did).toEqual(['sit_down']);
    expect(summary(interpreter, 'hello, sit down and wave').did).toEqual(['sit_down', 'wave']);
  });

  it.each([
    ['😀', ['face:happy']],
    ['😊', ['face:happy']],
    ['😂', ['laugh']],
    ['👍', ['thumbs_up']],
    ['👏', ['clap']],
    ['🤔', ['think']],
    ['🤷‍♀️', ['shrug']],
    ['😮', ['face:surprised']],
    ['😴', ['face:sleepy']],
    ['💃', ['dance']],
  ])('understands the emoji %s', (line, expected) => {
    expect(understood(line).did).toEqual(expected);
  });

  it('answers a sad emoji with sympathy, not a mirrored frown', () => {
    const { did, reply } = understood('😢');
    expect(did).toEqual(['face:sad']);
    expect(reply).toMatch(/sorry|here|wrong|talk|rough|oh no|aww/i);
  });

  it.each([
    ['pls sit', ['sit_down']],
    ['plz wave', ['wave']],
    ['can u nod', ['nod']],
    ['thx, now sit', ['face:happy', 'sit_down']],
    ['im sad', ['face:sad']],
  ])('understands the short form "%s"', (line, expected) => {
    expect(understood(line).did).toEqual(expected);
  });
});
