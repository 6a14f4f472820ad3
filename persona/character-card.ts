/**
 * Character Card V2 / V3 (the SillyTavern formats) → a character definition. Reads the JSON, or a
 * PNG whose `ccv3` (preferred) or `chara` tEXt/iTXt chunk holds the card as base64 JSON. Unknown
 * extension keys are kept as they are; the engine's own data lives under one namespace,
 * `extensions["persona-engine"]` (look, baseline face, expression hold), and wins over defaults.
 */
import { inflateSync } from 'node:zlib';
import type { Look } from '../protocol/look.js';
import type { CharacterDefinition } from '../characters/types.js';
import { ARIA } from '../characters/aria.js';

export const EXTENSION_NAMESPACE = 'persona-engine';

/** The card fields we read (V2 and V3 share them; V3 adds more, which are kept in `card`). */
export interface CardData {
  name: string;
  description?: string;
  personality?: string;
  scenario?: string;
  first_mes?: string;
  mes_example?: string;
  alternate_greetings?: string[];
  system_prompt?: string;
  tags?: string[];
  creator?: string;
  extensions?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ImportedCharacter {
  definition: CharacterDefinition;
  /** Example dialogue from the card, for prompts. */
  exampleDialogue: string;
  scenario: string;
  /** The card as read, with every field and extension kept, and the engine's namespace filled in. */
  card: { spec: 'chara_card_v2' | 'chara_card_v3'; spec_version: string; data: CardData };
}

interface EngineExtension {
  id?: string;
  look?: Look;
  baseline?: CharacterDefinition['baseline'];
  expressionHoldMs?: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Text chunks of a PNG by keyword (tEXt latin1, iTXt UTF-8, compressed or not). */
export const pngTextChunks = (png: Buffer): Map<string, string> => {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file (bad signature)');
  const texts = new Map<string, string>();
  let at = 8;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (at + 12 + length > png.length) throw new Error(`PNG chunk "${type}" runs past the end of the file: the file is truncated`);
    if (type === 'tEXt') {
      const nul = data.indexOf(0);
      if (nul > 0) texts.set(data.toString('latin1', 0, nul), data.toString('latin1', nul + 1));
    } else if (type === 'iTXt') {
      const nul = data.indexOf(0);
      const compressed = data[nul + 1] === 1;
      let p = data.indexOf(0, nul + 3); // language tag ends
      p = data.indexOf(0, p + 1); // translated keyword ends
      const body = data.subarray(p + 1);
      texts.set(data.toString('latin1', 0, nul), (compressed ? inflateSync(body) : body).toString('utf8'));
    } else if (type === 'IEND') break;
    at += 12 + length;
  }
  return texts;
};

const decodeCardText = (text: string, keyword: string): unknown => {
  const trimmed = text.trim();
  const json = trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8');
  try {
    return JSON.parse(json);
  } catch {
    throw new Error(`the PNG's "${keyword}" chunk is not a card: neither JSON nor base64 JSON`);
  }
};

/** The card JSON inside a file's bytes: a PNG with a `ccv3`/`chara` chunk, or JSON text. */
export const readCardBytes = (bytes: Buffer): unknown => {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    const texts = pngTextChunks(bytes);
    for (const keyword of ['ccv3', 'chara']) {
      const text = texts.get(keyword);
      if (text !== undefined) return decodeCardText(text, keyword);
    }
    throw new Error(`this PNG has no character card: no "ccv3" or "chara" text chunk (found: ${[...texts.keys()].join(', ') || 'none'})`);
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`not a character card: neither a PNG nor JSON (${(error as Error).message})`);
  }
};

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'character';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Card macros → our template placeholders: {{char}} is the character's name, {{user}} the person chatting. */
const unmacro = (text: string, name: string) => text.replace(/\{\{char\}\}|<BOT>/gi, name).replace(/\{\{user\}\}|<USER>/gi, 'you');

/** Reads a parsed card (V3, V2, or the older flat V1) into a definition; throws saying what is missing. */
export const importCard = (raw: unknown, template: CharacterDefinition = ARIA): ImportedCharacter => {
  if (!isRecord(raw)) throw new Error('not a character card: expected a JSON object');
  const spec = raw.spec === 'chara_card_v3' ? 'chara_card_v3' : 'chara_card_v2';
  if (raw.spec !== undefined && raw.spec !== 'chara_card_v2' && raw.spec !== 'chara_card_v3') {
    throw new Error(`unsupported card spec "${String(raw.spec)}"; expected chara_card_v2 or chara_card_v3`);
  }
  // V1 cards have their fields at the top level.
  const data = (raw.spec ? raw.data : raw) as CardData | undefined;
  if (!isRecord(data)) throw new Error('not a character card: "data" is missing');
  if (typeof data.name !== 'string' || !data.name.trim()) throw new Error('the card has no "name"');
  const name = data.name.trim();
  const extensions = isRecord(data.extensions) ? { ...data.extensions } : {};
  const ours = (isRecord(extensions[EXTENSION_NAMESPACE]) ? extensions[EXTENSION_NAMESPACE] : {}) as EngineExtension;
  const text = (v: unknown) => (typeof v === 'string' ? unmacro(v, name).trim() : '');
  const personality = [text(data.description), text(data.personality), text(data.scenario) && `Scenario: ${text(data.scenario)}`]
    .filter(Boolean)
    .join('\n\n')
    .slice(0, 4000);
  const greetings = [text(data.first_mes), ...(Array.isArray(data.alternate_greetings) ? data.alternate_greetings.map(text) : [])].filter(Boolean);
  const definition: CharacterDefinition = {
    ...template,
    id: ours.id ?? slug(name),
    name,
    personality: personality || `${name} is a friendly character.`,
    look: ours.look ?? template.look,
    baseline: ours.baseline ?? template.baseline,
    expressionHoldMs: ours.expressionHoldMs ?? template.expressionHoldMs,
    lines: { ...template.lines, ...(greetings.length && { greeting: greetings.map((g) => g.replace(new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), '{name}')) }) },
  };
  extensions[EXTENSION_NAMESPACE] = { ...ours, id: definition.id, look: definition.look, baseline: definition.baseline, expressionHoldMs: definition.expressionHoldMs };
  return {
    definition,
    exampleDialogue: text(data.mes_example),
    scenario: text(data.scenario),
    card: { spec, spec_version: spec === 'chara_card_v3' ? '3.0' : '2.0', data: { ...data, extensions } },
  };
};
