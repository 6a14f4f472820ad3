/**
 * What the desktop app remembers between runs, in one JSON file in its user-data folder: where the
 * character stood on each display, which character was chosen, and whether the user asked for the
 * opaque window. The file is outside input like any other: a broken or hand-edited one is read as far
 * as it is valid, and the reason is logged, never thrown.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SavedPlacementSchema, type SavedPlacement } from './placement.js';

export const DesktopSettingsSchema = z
  .object({
    placement: SavedPlacementSchema.default({ byDisplay: {} }),
    /** A character id, as `persona serve --character` takes it. */
    character: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
    opaque: z.boolean().default(false),
  })
  .strict();

export type DesktopSettings = { placement: SavedPlacement; character?: string; opaque: boolean };

/** Larger than any real settings file: a bigger one is not read. */
const MAX_BYTES = 64 * 1024;
export const DEFAULT_SETTINGS: DesktopSettings = { placement: { byDisplay: {} }, opaque: false };

export const parseSettings = (text: string): { settings: DesktopSettings; problem?: string } => {
  if (text.length > MAX_BYTES) return { settings: DEFAULT_SETTINGS, problem: `larger than ${MAX_BYTES / 1024} KiB; starting from defaults` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { settings: DEFAULT_SETTINGS, problem: `not JSON (${(error as Error).message}); starting from defaults` };
  }
  const parsed = DesktopSettingsSchema.safeParse(json);
  if (parsed.success) return { settings: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { settings: DEFAULT_SETTINGS, problem: `${issue.path.join('.') || 'the file'}: ${issue.message}; starting from defaults` };
};

export const loadSettings = (file: string): { settings: DesktopSettings; problem?: string } => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { settings: DEFAULT_SETTINGS }; // first run
  }
  return parseSettings(text);
};

/** Written whole to a temporary file and renamed over the old one: a crash mid-write never leaves half a file. */
export const saveSettings = (file: string, settings: DesktopSettings): void => {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`);
  renameSync(temporary, file);
};
