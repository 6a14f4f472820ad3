/**
 * Characters imported from cards live as card JSON files in `<data dir>/characters/<id>.json`. They
 * are read back through `importCard`, so a stored card picks up the current vocabulary and defaults.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CharacterDefinition } from '../characters/types.js';
import { importCard, type ImportedCharacter } from './character-card.js';
import { resolveDataDir } from './conversation-store.js';

const folder = (dataDir?: string) => path.join(resolveDataDir(dataDir), 'characters');

/** Writes an imported card where `loadImportedCharacter` finds it; returns the file. */
export const saveImportedCharacter = (imported: ImportedCharacter, dataDir?: string): string => {
  mkdirSync(folder(dataDir), { recursive: true });
  const file = path.join(folder(dataDir), `${imported.definition.id}.json`);
  writeFileSync(file, `${JSON.stringify(imported.card, null, 2)}\n`);
  return file;
};

/** The imported character `id`, or undefined when none was imported under that id. */
export const loadImportedCharacter = (id: string, dataDir?: string): CharacterDefinition | undefined => {
  if (!/^[a-z0-9-]+$/.test(id)) return undefined; // ids are slugs: nothing else may name a file
  const file = path.join(folder(dataDir), `${id}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return importCard(JSON.parse(readFileSync(file, 'utf8'))).definition;
  } catch (error) {
    throw new Error(`the imported character file ${file} is broken (${(error as Error).message}); import the card again with persona import-card`);
  }
};

export const listImportedCharacters = (dataDir?: string): string[] =>
  existsSync(folder(dataDir)) ? readdirSync(folder(dataDir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
