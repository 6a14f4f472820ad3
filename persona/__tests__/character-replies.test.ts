/**
 * Every character answers every action and expression of its vocabulary in its own voice: never
 * the "I did not understand" fallback while doing what was asked, and in words that fit what it did.
 */
import { describe, expect, it } from 'vitest';
import { CHARACTERS } from '../../characters/index.js';
import { ARIA } from '../../characters/aria.js';
import { SLEEPY_ARIA } from '../../characters/examples/sleepy-aria.js';
import type { CharacterDefinition } from '../../characters/types.js';
import { importCard } from '../character-card.js';
import { EmbeddedInterpreter } from '../embedded-interpreter.js';

const imported = importCard({ name: 'Zed', description: 'Zed is a grumpy lighthouse keeper.' }).definition;
// The example character is listed in CHARACTERS today; it is named here so the test keeps it if that changes.
const SHIPPED: CharacterDefinition[] = [...CHARACTERS, ...(CHARACTERS.includes(SLEEPY_ARIA) ? [] : [SLEEPY_ARIA])];
const ALL: CharacterDefinition[] = [...SHIPPED, imported];

const fill = (template: string, name: string) => template.replace(/\{name\}/g, name);
/** What a reply must never say while the character does what was asked. */
const DISAGREES = /not sure|didn't catch|did not quite follow|not understand|can't|cannot|won't|unable|already/i;

/** The first phrase that reads as a request for this action (its name, else a synonym). */
const phraseFor = (interpreter: EmbeddedInterpreter, field: 'action' | 'expression', name: string, synonyms: readonly string[]) => {
  const candidates = field === 'action' ? [name.replace(/_/g, ' '), ...synonyms] : synonyms.map((s) => `look ${s}`).concat(`look ${name}`);
  return candidates.find((line) => {
    const [first] = interpreter.interpret(line).directives;
    return first?.[field]?.name === name;
  });
};

describe.each(ALL.map((c) => [c.id, c] as const))('%s answers', (_id, character) => {
  const interpreter = new EmbeddedInterpreter(character);
  const fallback = (character.lines.unknown ?? []).map((l) => fill(l, character.name));
  const { actions, expressions } = character.vocabulary;

  it.each(actions.map((a) => [a.name, a.synonyms] as const))('action %s in its own words', (name, synonyms) => {
    const line = phraseFor(interpreter, 'action', name, synonyms);
    expect(line, `no phrase asks ${character.id} for ${name}`).toBeDefined();
    const { directives, reply } = interpreter.interpret(line!);
    expect(directives.map((d) => d.action?.name)).toEqual([name]);
    expect(fallback).not.toContain(reply);
    expect(reply).not.toMatch(DISAGREES);
    // Names or fits the action: one of the character's lines for it, or the action's own words.
    const own = (character.lines[name] ?? []).map((l) => fill(l, character.name));
    const named = reply.toLowerCase().includes(name.replace(/_/g, ' '));
    expect(own.includes(reply) || named, `"${reply}" neither is ${character.id}'s line for ${name} nor names it`).toBe(true);
  });

  it.each(expressions.map((e) => [e.name, e.synonyms] as const))('expression %s in its own words', (name, synonyms) => {
    const line = phraseFor(interpreter, 'expression', name, synonyms);
    expect(line, `no phrase asks ${character.id} to look ${name}`).toBeDefined();
    const { directives, reply } = interpreter.interpret(line!);
    expect(directives.map((d) => d.expression?.name)).toEqual([name]);
    expect(directives[0]!.action).toBeUndefined();
    expect(fallback).not.toContain(reply);
    expect(reply).not.toMatch(DISAGREES);
    const own = (character.lines[name] ?? []).map((l) => fill(l, character.name));
    const named = reply.toLowerCase().includes(name);
    expect(own.includes(reply) || named, `"${reply}" neither is ${character.id}'s line for ${name} nor names it`).toBe(true);
  });
});

describe('shipped characters', () => {
  it.each(SHIPPED.map((c) => [c.id, c] as const))('%s has lines of its own for every action and expression', (_id, character) => {
    const names = [...character.vocabulary.actions.map((a) => a.name), ...character.vocabulary.expressions.map((e) => e.name)];
    const missing = names.filter((n) => !character.lines[n]?.length);
    expect(missing).toEqual([]);
  });

  it.each(CHARACTERS.filter((c) => !c.id.includes('aria')).map((c) => [c.id, c] as const))(
    '%s does not borrow Aria’s words for actions and expressions',
    (_id, character) => {
      const names = [...character.vocabulary.actions.map((a) => a.name), ...character.vocabulary.expressions.map((e) => e.name)];
      const borrowed = names.filter((n) => (character.lines[n] ?? []).some((l) => ARIA.lines[n]?.includes(l)));
      expect(borrowed).toEqual([]);
    },
  );
});
