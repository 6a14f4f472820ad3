/** The characters that ship with the engine, by id. */
import { ARIA } from './aria.js';
import { SLEEPY_ARIA } from './examples/sleepy-aria.js';
import { KAI } from './kai.js';
import { MIRA } from './mira.js';
import type { CharacterDefinition } from './types.js';

export const CHARACTERS: readonly CharacterDefinition[] = [ARIA, KAI, MIRA, SLEEPY_ARIA];

export const getCharacter = (id: string): CharacterDefinition => {
  const found = CHARACTERS.find((c) => c.id === id);
  if (!found) throw new Error(`unknown character "${id}"; available: ${CHARACTERS.map((c) => c.id).join(', ')}`);
  return found;
};
