/** A character by id: the built-in ones first, then cards imported into the data dir (`persona import-card`). */
import { statSync } from 'node:fs';
import path from 'node:path';
import { CHARACTERS, getCharacter } from '../characters/index.js';
import type { CharacterDefinition } from '../characters/types.js';
import { CHARACTER_ID, MAX_CARD_JSON_BYTES } from '../persona/character-card.js';
import { resolveDataDir } from '../persona/conversation-store.js';
import { listImportedCharacters, loadImportedCharacter } from '../persona/imported-characters.js';

/** A stored card is the imported card JSON, pretty-printed: room for the indentation on top of the import limit. */
const MAX_STORED_CARD_BYTES = 2 * MAX_CARD_JSON_BYTES;

/** Refuses a stored card too large to be one before anything reads it; the card's fields are checked as it loads (importCard). */
const checkStoredCardSize = (id: string, dataDir?: string) => {
  if (!CHARACTER_ID.test(id)) return;
  const file = path.join(resolveDataDir(dataDir), 'characters', `${id}.json`);
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size > MAX_STORED_CARD_BYTES)
    throw new Error(
      `the imported character file ${file} is ${(size / 2 ** 20).toFixed(1)} MiB; a stored card is at most ${MAX_STORED_CARD_BYTES / 2 ** 20} MiB: import the card again with persona import-card`,
    );
};

export const resolveCharacter = (id: string, dataDir?: string): CharacterDefinition => {
  if (CHARACTERS.some((c) => c.id === id)) return getCharacter(id);
  checkStoredCardSize(id, dataDir);
  const imported = loadImportedCharacter(id, dataDir);
  if (imported) return imported;
  const known = [...CHARACTERS.map((c) => c.id), ...listImportedCharacters(dataDir)];
  throw new Error(`unknown character "${id}"; available: ${known.join(', ')} (import more with persona import-card FILE)`);
};
