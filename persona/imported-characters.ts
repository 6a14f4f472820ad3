/**
 * Characters imported from cards live as card JSON files in `<data dir>/characters/<id>.json`. They
 * are read back through `importCard`, so a stored card picks up the current vocabulary and defaults.
 * This module is the one place that turns an id into a file: it writes only inside that folder, and
 * reads a stored card only after checking its id and its size.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CharacterDefinition } from '../characters/types.js';
import { CHARACTER_ID, MAX_STORED_CARD_BYTES, importCard, type ImportedCharacter } from './character-card.js';
import { resolveDataDir } from './conversation-store.js';

export { MAX_STORED_CARD_BYTES };

/**
 * The text of a stored card: pretty-printed, for people to read and edit, when that fits in
 * MAX_STORED_CARD_BYTES; otherwise on one line (a long list of numbers takes four times the space
 * pretty-printed, one number a line). `importCard` refuses a card that does not fit on one line, so
 * whatever it accepts is stored and loads back.
 */
export const storedCardText = (card: ImportedCharacter['card']): string => {
  const pretty = `${JSON.stringify(card, null, 2)}\n`;
  return Buffer.byteLength(pretty) <= MAX_STORED_CARD_BYTES ? pretty : `${JSON.stringify(card)}\n`;
};

const folder = (dataDir?: string) => path.resolve(resolveDataDir(dataDir), 'characters');

/** `<folder>/<id>.json`, or undefined when `id` is not a character id (CHARACTER_ID) or would name a file elsewhere. */
const fileFor = (id: string, dataDir?: string): string | undefined => {
  const dir = folder(dataDir);
  const file = path.resolve(dir, `${id}.json`);
  return CHARACTER_ID.test(id) && path.dirname(file) === dir ? file : undefined;
};

/**
 * Writes an imported card where `loadImportedCharacter` finds it; returns the file. Refuses an id that
 * would put the file anywhere but `<data dir>/characters/`. Writes a new file and renames it over the
 * old one, so a link planted at `<id>.json` is replaced, never written through, and no half-written card is left.
 */
export const saveImportedCharacter = (imported: ImportedCharacter, dataDir?: string): string => {
  const { id } = imported.definition;
  const file = fileFor(id, dataDir);
  if (!file) throw new Error(`refusing to write the card with id ${JSON.stringify(id).slice(0, 80)}: a character's file must be in ${folder(dataDir)}`);
  const text = storedCardText(imported.card);
  const size = Buffer.byteLength(text);
  if (size > MAX_STORED_CARD_BYTES)
    throw new Error(`refusing to write the card "${id}": it takes ${(size / 2 ** 20).toFixed(1)} MiB, and a stored card is at most ${MAX_STORED_CARD_BYTES / 2 ** 20} MiB, so it could not be loaded`);
  mkdirSync(path.dirname(file), { recursive: true });
  const fresh = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(fresh, text, { flag: 'wx' }); // wx: never through a file or link already there
    renameSync(fresh, file);
  } catch (error) {
    rmSync(fresh, { force: true });
    throw error;
  }
  return file;
};

/**
 * The imported character `id`, or undefined when none was imported under that id. Throws naming the
 * file when it is too large to be a card (it is not read then) or when a field is bad.
 */
export const loadImportedCharacter = (id: string, dataDir?: string): CharacterDefinition | undefined => {
  const file = fileFor(id, dataDir);
  if (!file) return undefined; // ids are slugs: nothing else may name a file
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the imported character file ${file}: ${(error as Error).message}`);
  }
  let size: number;
  let text: string | undefined;
  try {
    size = fstatSync(fd).size; // of the file opened, not of whatever the name points at by now
    if (size <= MAX_STORED_CARD_BYTES) text = readFileSync(fd, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the imported character file ${file}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
  if (text === undefined)
    throw new Error(
      `the imported character file ${file} is ${(size / 2 ** 20).toFixed(1)} MiB; a stored card is at most ${MAX_STORED_CARD_BYTES / 2 ** 20} MiB: import the card again with persona import-card`,
    );
  try {
    return importCard(JSON.parse(text)).definition;
  } catch (error) {
    throw new Error(`the imported character file ${file} is broken (${(error as Error).message}); import the card again with persona import-card`);
  }
};

/** The ids of the cards imported into the data dir. */
export const listImportedCharacters = (dataDir?: string): string[] =>
  existsSync(folder(dataDir))
    ? readdirSync(folder(dataDir))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .filter((id) => CHARACTER_ID.test(id))
    : [];
