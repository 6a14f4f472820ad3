/**
 * Character Card fuzz cases (persona/character-card.ts): V1/V2/V3 cards as JSON and inside PNG
 * text chunks (tEXt, iTXt, compressed iTXt), mutated field by field, as text and as bytes, with
 * lying chunk lengths, compression bombs, huge and deep values; and random bytes. Each must be
 * imported or refused with an Error saying why — not an internal TypeError or RangeError, not a
 * hang — and a card that is accepted must store and load back (what `persona import-card` writes,
 * `loadImportedCharacter` must read). A few go through the real `persona import-card` CLI with a
 * temporary PERSONA_DATA_DIR, which must exit 0 or 1 with one line saying why, writing only in
 * <data dir>/characters/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { CARD_LIMITS, CHARACTER_ID, EXTENSION_NAMESPACE, importCard, readCardBytes, type ImportedCharacter } from '../persona/character-card.js';
import { MAX_STORED_CARD_BYTES, storedCardText } from '../persona/imported-characters.js';
import { HAIR_STYLES } from '../protocol/look.js';
import { reasonKind, type Tally } from './fuzz-report.js';
import { NASTY_STRINGS, caseRng, hexPreview, mutateBytes, mutateText, randomText, textPreview, type Rng } from './fuzz-rng.js';
import { pngChunk as chunk } from '../persona/__tests__/png-chunks.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A card that takes longer than this to import or refuse is a hang (the parser is synchronous: it is measured, not interrupted). */
export const CARD_HANG_MS = 2_000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A real 2×2 RGBA PNG with `chunks` before IEND, as card editors write them. */
const png = (...chunks: Buffer[]) => {
  const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0, 0, 0]);
  const scanlines = Buffer.alloc(2 * (1 + 2 * 4), 200);
  scanlines[0] = 0;
  scanlines[9] = 0;
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(scanlines)), ...chunks, chunk('IEND', Buffer.alloc(0))]);
};
const tEXt = (keyword: string, text: string) => chunk('tEXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')]));
const iTXt = (keyword: string, text: string, compress: boolean) =>
  chunk('iTXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from([compress ? 1 : 0, 0]), Buffer.from('\0\0'), compress ? deflateSync(Buffer.from(text)) : Buffer.from(text)]));
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** Inflates to far past the 3 MiB text-chunk limit; made once. */
let bomb: Buffer | null = null;
const compressionBomb = () => (bomb ??= deflateSync(Buffer.alloc(16 << 20, 0x41)));

const baseCard = (rng: Rng): Record<string, unknown> => {
  const data: Record<string, unknown> = {
    name: rng.pick(['Seraphina', 'Zoë 🌸', 'Mira', 'a', '🌸🌸', '../../settings', 'x'.repeat(100)]),
    description: '{{char}} is a gentle forest guardian who heals travellers.',
    personality: 'kind, calm, protective',
    scenario: '{{user}} wakes up in her glade.',
    first_mes: '*{{char}} smiles* You are safe now, {{user}}.',
    mes_example: '<START>\n{{user}}: Who are you?\n{{char}}: I am Seraphina.',
    alternate_greetings: ['Welcome back!'],
    tags: ['fantasy'],
    creator: 'someone',
    extensions: {
      talkativeness: '0.5',
      depth_prompt: { prompt: 'x', depth: 4 },
      [EXTENSION_NAMESPACE]: rng.chance(0.5) ? { look: { hairStyle: rng.pick(HAIR_STYLES) }, baseline: { expression: 'happy', intensity: 0.3 }, expressionHoldMs: 2500 } : {},
    },
  };
  switch (rng.int(0, 2)) {
    case 0:
      return data; // V1: the fields at the top level
    case 1:
      return { spec: 'chara_card_v2', spec_version: '2.0', data };
    default:
      return { spec: 'chara_card_v3', spec_version: '3.0', data: { ...data, nickname: 'Sera', group_only_greetings: [], assets: [{ type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' }] } };
  }
};

/** Nested `depth` deep, as JSON text (JSON.parse reads it; recursive code may not). */
const deepJson = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

/** A JSON value of any kind, sized near the card limits sometimes. */
const randomJson = (rng: Rng, depth = 2): unknown => {
  switch (rng.int(0, 11)) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 2, 0.5, 60_000, 60_001]);
    case 2:
      return rng.chance(0.5);
    case 3:
    case 4:
      return randomText(rng, 80);
    case 5: {
      const limit = rng.pick(Object.values(CARD_LIMITS));
      return 'x'.repeat(limit + rng.pick([-1, 0, 1]));
    }
    case 6:
      return depth > 0 ? Array.from({ length: rng.pick([0, 1, 3, 64, 65, 1000]) }, () => (depth > 1 ? randomJson(rng, depth - 1) : 'x')) : [];
    case 7:
      return depth > 0 ? Object.fromEntries(Array.from({ length: rng.size(6) }, () => [rng.pick([randomText(rng, 10), '__proto__', 'constructor', 'id', 'look']), randomJson(rng, depth - 1)])) : {};
    case 8:
      return rng.pick(NASTY_STRINGS);
    case 9:
      return { id: rng.pick(['../x', 'ok-id', '', 'UPPER', 'a'.repeat(65), 'con', 'a-']), look: rng.chance(0.5) ? { skin: [rng.int(-1, 300), 0, 0], headRadius: rng.pick([0, 2, 3, -1]) } : 'blue' };
    case 10:
      return { expression: rng.pick(['happy', 'neutral', 'nonsense', '']), intensity: rng.pick([0, 1, 5, -1, NaN]) };
    default:
      return depth > 0 ? [randomJson(rng, depth - 1)] : 'x';
  }
};

/** Sets a value somewhere in `card`: a top-level field, a data field, the engine namespace or one of its fields. */
const setSomewhere = (rng: Rng, card: Record<string, unknown>, value: unknown) => {
  const data = (typeof card.data === 'object' && card.data !== null ? card.data : card) as Record<string, unknown>;
  const extensions = (typeof data.extensions === 'object' && data.extensions !== null ? data.extensions : (data.extensions = {})) as Record<string, unknown>;
  const engine = (typeof extensions[EXTENSION_NAMESPACE] === 'object' && extensions[EXTENSION_NAMESPACE] !== null ? extensions[EXTENSION_NAMESPACE] : (extensions[EXTENSION_NAMESPACE] = {})) as Record<string, unknown>;
  const where = rng.pick([
    [card, rng.pick(['spec', 'spec_version', 'data'])],
    [data, rng.pick(['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example', 'system_prompt', 'alternate_greetings', 'tags', 'creator_notes', 'extensions', randomText(rng, 8)])],
    [data, rng.pick(['name', 'first_mes', 'alternate_greetings', 'tags'])],
    [extensions, rng.pick([EXTENSION_NAMESPACE, 'talkativeness', randomText(rng, 8)])],
    [engine, rng.pick(['id', 'look', 'baseline', 'expressionHoldMs', randomText(rng, 8)])],
  ] as [Record<string, unknown>, string][]);
  const [object, key] = where;
  if (rng.chance(0.1)) delete object[key];
  else object[key] = value;
};

/** A card as JSON text, structurally mutated, sometimes with a deep or huge value spliced in as text. */
const cardJson = (rng: Rng): string => {
  const card = baseCard(rng);
  for (let r = rng.int(0, 3); r > 0; r--) setSomewhere(rng, card, randomJson(rng));
  let text = JSON.stringify(card);
  if (rng.chance(0.04)) {
    // Something deep or huge in place of a field's value, written as text: JSON.stringify could not write it.
    const value = rng.pick([
      deepJson(rng.pick([1000, 10_000, 100_000])),
      deepJson(rng.pick([1000, 10_000, 100_000]), '{"a":', '}').replace(/\{"a":\}/, '{"a":1}'),
      `[${'1,'.repeat(rng.pick([100_000, 900_000]))}1]`,
      `"${'x'.repeat(rng.pick([1 << 20, (2 << 20) + 10]))}"`,
    ]);
    const field = rng.pick(['"description":', '"creator":', '"first_mes":', '"talkativeness":', '"tags":']);
    const at = text.indexOf(field);
    if (at >= 0) {
      const valueStart = at + field.length;
      const end = text.indexOf(',"', valueStart);
      text = text.slice(0, valueStart) + value + text.slice(end < 0 ? text.length - 1 : end);
    }
  }
  if (rng.chance(0.2)) text = mutateText(rng, text);
  if (rng.chance(0.05)) text = rng.pick(['[]', '"card"', '42', 'null', '{}', '', ' ', '{"spec":"chara_card_v2"}', '{"spec":"chara_card_v2","data":[]}', '{"__proto__":{"name":"x"}}']);
  return text;
};

/** A PNG carrying a card (or something like one) in its text chunks, or a broken PNG. */
const cardPng = (rng: Rng): Buffer => {
  const json = cardJson(rng);
  const keyword = rng.pick(['chara', 'chara', 'ccv3', 'ccv3', 'Chara', 'chara\0x', '', 'k'.repeat(80)]);
  const payload = rng.chance(0.8) ? b64(json) : rng.pick([json, mutateText(rng, b64(json), 1), '', '!!!!', 'A'.repeat(rng.pick([100, (3 << 20) + 10]))]);
  const textChunk = () => {
    switch (rng.int(0, 5)) {
      case 0:
      case 1:
        return tEXt(keyword, payload);
      case 2:
        return iTXt(keyword, payload, false);
      case 3:
        return iTXt(keyword, payload, true);
      case 4: // compressed iTXt that inflates to gigabytes, or is not compressed data at all
        return chunk('iTXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from([1, 0, 0, 0]), rng.chance(0.5) ? compressionBomb() : Buffer.from(rng.bytes(rng.size(200)))]));
      default: // iTXt or tEXt missing its NULs
        return chunk(rng.pick(['iTXt', 'tEXt']), Buffer.from(rng.pick([keyword, `${keyword}\0`, `${keyword}\0\u0001`, `${keyword}\0\u0001\0`]), 'latin1'));
    }
  };
  const chunks = [textChunk()];
  if (rng.chance(0.2)) chunks.push(tEXt(rng.pick(['chara', 'ccv3']), b64(cardJson(rng))));
  if (rng.chance(0.1)) chunks.push(...Array.from({ length: rng.pick([100, 5000]) }, (_, i) => tEXt(`k${i}`, 'v')));
  let bytes = png(...chunks);
  switch (rng.int(0, 7)) {
    case 0: {
      // a chunk whose length field lies
      const at = 33; // the IDAT chunk, after the signature and IHDR
      bytes = Buffer.from(bytes);
      bytes.writeUInt32BE(rng.pick([0xffffffff, 0x7fffffff, bytes.length, 0]), at);
      break;
    }
    case 1:
      bytes = bytes.subarray(0, rng.int(0, bytes.length));
      break;
    case 2:
      bytes = Buffer.from(mutateBytes(rng, bytes));
      break;
    case 3:
      bytes = Buffer.concat([bytes, tEXt('chara', b64(cardJson(rng)))]); // after IEND
      break;
    case 4:
      if (rng.chance(0.05)) bytes = Buffer.concat([bytes, Buffer.alloc(21 << 20)]); // over the 20 MiB image limit
      break;
    default:
      break;
  }
  return bytes;
};

export interface CardCase {
  bytes: Buffer;
  /** The file name it would have: its extension tells the CLI nothing, but a person reading the report sees what it was. */
  ext: 'json' | 'png' | 'bin';
  input: string;
}

/** Case `index` of the card target. */
export const cardCase = (rng: Rng): CardCase => {
  const roll = rng.int(0, 99);
  if (roll < 45) {
    const text = cardJson(rng);
    return { bytes: Buffer.from(text), ext: 'json', input: `json ${textPreview(text, 200)}` };
  }
  if (roll < 90) {
    const bytes = cardPng(rng);
    return { bytes, ext: 'png', input: `png ${hexPreview(bytes, 64)}` };
  }
  const bytes = rng.chance(0.5) ? Buffer.from(rng.bytes(rng.size(4096))) : Buffer.concat([PNG_SIGNATURE, Buffer.from(rng.bytes(rng.size(4096)))]);
  return { bytes, ext: 'bin', input: `random ${hexPreview(bytes, 64)}` };
};

/** An internal error (a TypeError, RangeError…) says what broke in the code, not what is wrong with the card. */
const isReason = (error: unknown): error is Error => error instanceof Error && error.constructor === Error && error.message.trim().length > 0;

/** Parses case `index` in this process and records its answer. */
export const runCardCase = (seed: number, tally: Tally, index: number): void => {
  const c = cardCase(caseRng(seed, 'card', index));
  const started = performance.now();
  let imported: ImportedCharacter;
  try {
    imported = importCard(readCardBytes(c.bytes));
  } catch (error) {
    const ms = performance.now() - started;
    if (ms > CARD_HANG_MS) return tally.fail({ kind: 'hang', target: 'card', index, input: c.input, what: `took ${Math.round(ms)} ms to refuse` });
    if (!isReason(error)) {
      const what = error instanceof Error ? `${error.constructor.name}: ${error.message}` : `threw a non-Error: ${String(error)}`;
      return tally.fail({ kind: 'no-reason', target: 'card', index, input: c.input, what: `an internal error instead of a reason: ${what.slice(0, 300)}` });
    }
    if (error.message.length > 600) tally.find('card: an error message over 600 characters (it echoes the input: a long "spec" value, or every PNG chunk keyword)', c.input);
    return tally.answer('card', `refused: ${reasonKind(error.message)}`, c.input);
  }
  const ms = performance.now() - started;
  if (ms > CARD_HANG_MS) return tally.fail({ kind: 'hang', target: 'card', index, input: c.input, what: `took ${Math.round(ms)} ms to import` });
  const { definition } = imported;
  const problems = [
    !CHARACTER_ID.test(definition.id) && `id ${JSON.stringify(definition.id)} is not a slug`,
    definition.name.length > CARD_LIMITS.name && `name has ${definition.name.length} characters`,
    (definition.lines.greeting?.length ?? 0) > CARD_LIMITS.alternateGreetings + 1 && `${definition.lines.greeting!.length} greetings`,
    definition.lines.greeting?.some((g) => g.length > CARD_LIMITS.greeting * 2) && 'a greeting over the limit',
  ].filter(Boolean);
  if (problems.length) return tally.fail({ kind: 'no-reason', target: 'card', index, input: c.input, what: `accepted with ${problems.join('; ')}` });
  // What `persona import-card` writes (persona/imported-characters.ts), and what loading it reads back.
  let stored: string;
  try {
    stored = storedCardText(imported.card);
  } catch (error) {
    return tally.fail({ kind: 'no-reason', target: 'card', index, input: c.input, what: `accepted, but cannot be stored: ${(error as Error).constructor.name}: ${(error as Error).message}` });
  }
  const size = Buffer.byteLength(stored);
  if (size > MAX_STORED_CARD_BYTES)
    return tally.fail({ kind: 'no-reason', target: 'card', index, input: c.input, what: `accepted, but stored it takes ${size} bytes, over the ${MAX_STORED_CARD_BYTES}-byte stored-card limit: it could never be loaded` });
  try {
    importCard(JSON.parse(stored));
  } catch (error) {
    return tally.fail({ kind: 'no-reason', target: 'card', index, input: c.input, what: `accepted and stored, but the stored card does not load: ${(error as Error).message.slice(0, 300)}` });
  }
  tally.answer('card', `accepted (${c.ext})`, c.input);
};

/** Runs `persona import-card` on case `index` with a fresh data dir: exit 0 writing one file in <data dir>/characters/, or 1 with one line. */
export const runCardCliCase = async (seed: number, tally: Tally, index: number): Promise<void> => {
  const c = cardCase(caseRng(seed, 'card', index));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-fuzz-card-'));
  try {
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    const file = path.join(dir, `card.${c.ext}`);
    writeFileSync(file, c.bytes);
    const result = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(root, 'bin/persona.js'), 'import-card', file], { cwd: root, env: { ...process.env, PERSONA_DATA_DIR: dataDir }, timeout: 60_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, signal: (error as { signal?: string } | null)?.signal ?? null, stdout, stderr }),
      );
    });
    const input = `CLI import-card ${c.input}`;
    const written = existsSync(path.join(dataDir, 'characters')) ? readdirSync(path.join(dataDir, 'characters')) : [];
    const elsewhere = readdirSync(dir).filter((name) => name !== 'data' && name !== `card.${c.ext}`).concat(readdirSync(dataDir).filter((name) => name !== 'characters'));
    if (elsewhere.length) return tally.fail({ kind: 'no-reason', target: 'card', index, input, what: `wrote outside <data dir>/characters/: ${elsewhere.join(', ')}` });
    if (result.code === 0) {
      if (written.length !== 1 || !written[0]!.endsWith('.json')) return tally.fail({ kind: 'no-reason', target: 'card', index, input, what: `exit 0 but ${written.length} files written: ${written.join(', ')}` });
      return tally.answer('card', 'CLI accepted (exit 0)', input);
    }
    const lines = result.stderr.trim().split('\n');
    if (result.code !== 1 || result.signal) return tally.fail({ kind: 'crash', target: 'card', index, input, what: `exit ${result.code} signal ${result.signal}: ${result.stderr.slice(-400)}` });
    if (written.length) return tally.fail({ kind: 'no-reason', target: 'card', index, input, what: `refused but wrote ${written.join(', ')}` });
    if (!result.stderr.trim() || /\n\s+at /.test(result.stderr) || lines.length > 3)
      return tally.fail({ kind: 'no-reason', target: 'card', index, input, what: `exit 1 without one line saying why: ${textPreview(result.stderr, 400)}` });
    tally.answer('card', `CLI refused: ${reasonKind(lines[0]!.replace(/^persona( import-card)?: /, ''))}`, input);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const describeCardCase = (seed: number, index: number): string => cardCase(caseRng(seed, 'card', index)).input;
