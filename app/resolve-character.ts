/** A character by id: the built-in ones first, then cards imported into the data dir (`persona import-card`). */
import { CHARACTERS, getCharacter } from '../characters/index.js';
import type { CharacterDefinition } from '../characters/types.js';
import { listImportedCharacters, loadImportedCharacter } from '../persona/imported-characters.js';

export const resolveCharacter = (id: string, dataDir?: string): CharacterDefinition => {
  if (CHARACTERS.some((c) => c.id === id)) return getCharacter(id);
  const imported = loadImportedCharacter(id, dataDir); // checks the stored file's size and fields
  if (imported) return imported;
  const known = [...CHARACTERS.map((c) => c.id), ...listImportedCharacters(dataDir)];
  throw new Error(`unknown character "${id}"; available: ${known.join(', ')} (import more with persona import-card FILE)`);
};
