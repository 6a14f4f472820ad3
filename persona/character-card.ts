/**
 * Character Card V2 / V3 (the SillyTavern formats) → a character definition. Reads the JSON, or a
 * PNG whose `ccv3` (preferred) or `chara` tEXt/iTXt chunk holds the card as base64 JSON. Unknown
 * extension keys are kept as they are; the engine's own data lives under one namespace,
 * `extensions["persona-engine"]` (look, baseline face, expression hold), and wins over defaults.
 * Cards come from strangers: sizes are bounded (file, inflated chunk, JSON, each field) and the
 * engine's namespace is validated, its id a slug, before anything is written or served.
 */
import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import { LookSchema } from '../protocol/look.js';
import type { CharacterDefinition } from '../characters/types.js';
import { ARIA } from '../characters/aria.js';
import { expressionNames } from '../characters/vocabulary.js';

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

const MiB = 1024 * 1024;
/** Largest card image read (cards carry their art, a few MB at most). */
export const MAX_CARD_IMAGE_BYTES = 20 * MiB;
/** Largest card JSON read, from a .json file or out of a PNG chunk. */
export const MAX_CARD_JSON_BYTES = 2 * MiB;
/** Largest PNG text chunk read or inflated: a card's JSON as base64 (4/3 of it) fits. */
export const MAX_TEXT_CHUNK_BYTES = 3 * MiB;
/**
 * Largest stored card (<data dir>/characters/<id>.json) read back. A card is refused at import when
 * its JSON, written out on one line, would be larger: what JSON.stringify writes can be larger than
 * what was read (`1e20` is written `100000000000000000000`, a byte that is not UTF-8 becomes U+FFFD,
 * three bytes), so the import limit alone does not keep a stored card loadable.
 */
export const MAX_STORED_CARD_BYTES = 2 * MAX_CARD_JSON_BYTES;

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const limit = (bytes: number) => `${bytes / MiB} MiB`;

/**
 * Limits on the card fields we read, in characters. The greeting goes to every client and the
 * rest into every prompt, so none may be unbounded; these are generous for hand-written cards.
 */
export const CARD_LIMITS = {
  name: 100,
  description: 32 * 1024,
  personality: 16 * 1024,
  scenario: 16 * 1024,
  first_mes: 16 * 1024,
  mes_example: 32 * 1024,
  system_prompt: 16 * 1024,
  alternateGreetings: 64,
  greeting: 16 * 1024,
  tags: 64,
  tag: 100,
} as const;

/** An id names a file in <data dir>/characters/, so it is a slug and nothing else (no dots, no slashes). */
export const CHARACTER_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const text = (limit: number) => z.string({ error: 'must be text' }).max(limit).nullish();
const list = (count: number, each: number) => z.array(z.string({ error: 'must be text' }).max(each), { error: 'must be a list of text' }).max(count).nullish();

/** The card fields we read; every other field is kept as it is. */
const CardFieldsSchema = z.looseObject({
  name: z.string({ error: 'must be text' }).max(CARD_LIMITS.name),
  description: text(CARD_LIMITS.description),
  personality: text(CARD_LIMITS.personality),
  scenario: text(CARD_LIMITS.scenario),
  first_mes: text(CARD_LIMITS.first_mes),
  mes_example: text(CARD_LIMITS.mes_example),
  system_prompt: text(CARD_LIMITS.system_prompt),
  alternate_greetings: list(CARD_LIMITS.alternateGreetings, CARD_LIMITS.greeting),
  tags: list(CARD_LIMITS.tags, CARD_LIMITS.tag),
});

/** `extensions["persona-engine"]`: the engine's own data in a card. Unknown keys are kept. */
const engineExtensionSchema = (template: CharacterDefinition) => {
  const expressions = expressionNames(template.vocabulary);
  return z.looseObject(
    {
      id: z
        .string({ error: 'must be text' })
        .regex(CHARACTER_ID, 'must be 1–64 lowercase letters, digits or "-", starting with a letter or digit; fix it, or leave it out to use one made from the name')
        .optional(),
      look: LookSchema.optional(),
      baseline: z
        .object(
          {
            expression: z.string({ error: 'must be text' }).refine((name) => expressions.includes(name), `must be one of ${expressions.join(', ')}`),
            intensity: z.number({ error: 'must be a number' }).min(0).max(1),
          },
          { error: 'must be { expression, intensity }' },
        )
        .optional(),
      expressionHoldMs: z.number({ error: 'must be a number' }).int().min(0).max(60_000).optional(),
    },
    { error: 'must be an object' },
  );
};
type EngineExtension = z.infer<ReturnType<typeof engineExtensionSchema>>;

/**
 * The start of `value` as JSON, about `room` characters of it: never more, whatever its size or depth
 * (each level written takes a character, so it recurses at most `room` levels; JSON.stringify would
 * recurse as deep as the value, and a card's JSON can be 100,000 levels deep).
 */
const jsonStart = (value: unknown, room: number): string => {
  if (room <= 0) return '';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, room));
  if (typeof value !== 'object' || value === null) return String(JSON.stringify(value) ?? value).slice(0, room);
  const list = Array.isArray(value);
  let out = list ? '[' : '{';
  const keys = list ? undefined : Object.keys(value);
  const count = list ? value.length : keys!.length;
  for (let i = 0; i < count; i++) {
    if (out.length >= room) return out;
    if (i) out += ',';
    if (keys) out += `${JSON.stringify(keys[i])}:`;
    out += jsonStart(list ? value[i] : (value as Record<string, unknown>)[keys![i]!], room - out.length);
  }
  return out.length < room ? out + (list ? ']' : '}') : out;
};

/** A value for an error message: never more than about 80 characters of it. */
const preview = (value: unknown) => {
  if (typeof value === 'string') {
    const shown = JSON.stringify(value);
    return shown.length > 80 ? `${shown.slice(0, 77)}… (${shown.length} characters)` : shown;
  }
  const shown = jsonStart(value, 81);
  if (shown.length <= 80) return shown;
  const size = Array.isArray(value) ? `a list of ${value.length} item${value.length === 1 ? '' : 's'}` : isRecord(value) ? 'an object' : 'a value';
  return `${shown.slice(0, 77)}… (${size})`;
};
const valueAt = (root: unknown, path: readonly PropertyKey[]) =>
  path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined), root);
const fieldName = (prefix: string, path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `${name}${name ? '.' : ''}${String(key)}` : `${name}[${JSON.stringify(String(key))}]`),
    prefix,
  );

/** One line per problem, naming the field, the rule and (shortly) what it holds; at most 3 problems shown. */
const describeIssues = (issues: z.core.$ZodIssue[], root: unknown, prefix: string) => {
  const lines = issues.map((issue) => {
    const got = valueAt(root, issue.path);
    const where = fieldName(prefix, issue.path) || 'the card';
    if (issue.code === 'too_big' || issue.code === 'too_small') {
      const bound = issue.code === 'too_big' ? `at most ${String(issue.maximum)}` : `at least ${String(issue.minimum)}`;
      if (issue.origin === 'string') return `${where}: too ${issue.code === 'too_big' ? 'long' : 'short'}: ${bound} characters (it has ${(got as string).length})`;
      if (issue.origin === 'array') return `${where}: too ${issue.code === 'too_big' ? 'many' : 'few'}: ${bound} (it has ${(got as unknown[]).length})`;
      return `${where}: must be ${bound} (got ${preview(got)})`;
    }
    if (issue.code === 'invalid_value') return `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${preview(got)})`;
    if (issue.code === 'invalid_type' && got === undefined) return `${where}: is missing`;
    return `${where}: ${issue.message} (got ${preview(got)})`;
  });
  const shown = lines.slice(0, 3).join('; ');
  return `bad card: ${shown}${lines.length > 3 ? `; and ${lines.length - 3} more` : ''}`;
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Inflates a compressed iTXt chunk, stopping at MAX_TEXT_CHUNK_BYTES: a few MB can inflate to gigabytes. */
const inflateBounded = (body: Buffer, keyword: string): Buffer => {
  try {
    return inflateSync(body, { maxOutputLength: MAX_TEXT_CHUNK_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new Error(`the PNG's "${keyword}" text chunk inflates to more than ${limit(MAX_TEXT_CHUNK_BYTES)}; a card is at most ${limit(MAX_CARD_JSON_BYTES)} of JSON`);
    throw new Error(`the PNG's "${keyword}" text chunk is not valid compressed data (${(error as Error).message})`);
  }
};

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
    if (type === 'tEXt' || type === 'iTXt') {
      const nul = data.indexOf(0);
      const keyword = data.toString('latin1', 0, Math.max(nul, 0));
      const tooLarge = (size: number) => new Error(`the PNG's "${keyword}" text chunk is ${mib(size)}; at most ${limit(MAX_TEXT_CHUNK_BYTES)}`);
      if (type === 'tEXt') {
        if (nul > 0) {
          if (data.length - nul - 1 > MAX_TEXT_CHUNK_BYTES) throw tooLarge(data.length - nul - 1);
          texts.set(keyword, data.toString('latin1', nul + 1));
        }
      } else {
        const compressed = data[nul + 1] === 1;
        let p = data.indexOf(0, nul + 3); // language tag ends
        p = data.indexOf(0, p + 1); // translated keyword ends
        const body = data.subarray(p + 1);
        if (!compressed && body.length > MAX_TEXT_CHUNK_BYTES) throw tooLarge(body.length);
        texts.set(keyword, (compressed ? inflateBounded(body, keyword) : body).toString('utf8'));
      }
    } else if (type === 'IEND') break;
    at += 12 + length;
  }
  return texts;
};

const cardJsonTooLarge = (bytes: number) => new Error(`the card JSON is ${mib(bytes)}; at most ${limit(MAX_CARD_JSON_BYTES)}`);

const decodeCardText = (text: string, keyword: string): unknown => {
  const trimmed = text.trim();
  const json = trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8');
  if (Buffer.byteLength(json) > MAX_CARD_JSON_BYTES) throw cardJsonTooLarge(Buffer.byteLength(json));
  try {
    return JSON.parse(json);
  } catch {
    throw new Error(`the PNG's "${keyword}" chunk is not a card: neither JSON nor base64 JSON`);
  }
};

/** The card JSON inside a file's bytes: a PNG with a `ccv3`/`chara` chunk, or JSON text. */
export const readCardBytes = (bytes: Buffer): unknown => {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    if (bytes.length > MAX_CARD_IMAGE_BYTES) throw new Error(`the PNG is ${mib(bytes.length)}; a card image is at most ${limit(MAX_CARD_IMAGE_BYTES)}`);
    const texts = pngTextChunks(bytes);
    for (const keyword of ['ccv3', 'chara']) {
      const text = texts.get(keyword);
      if (text !== undefined) return decodeCardText(text, keyword);
    }
    throw new Error(`this PNG has no character card: no "ccv3" or "chara" text chunk (found: ${[...texts.keys()].map((k) => preview(k).slice(1, -1)).join(', ') || 'none'})`);
  }
  if (bytes.length > MAX_CARD_JSON_BYTES) throw cardJsonTooLarge(bytes.length);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`not a character card: neither a PNG nor JSON (${(error as Error).message})`);
  }
};

/** The default id: the name as a slug (ASCII letters and digits joined by "-"), which always passes CHARACTER_ID. */
const slug = (name: string) =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 41)
    .replace(/^-+|-+$/g, '') || 'character';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * How deep lists and objects may sit inside each other in a card, the card itself being the first
 * level. Real cards use under ten; JSON.parse reads 100,000, and then writing the card back (or any
 * recursive code) overflows the stack.
 */
export const MAX_CARD_DEPTH = 32;

/** The path to a list or object deeper than MAX_CARD_DEPTH in `root`, or undefined. Recurses at most MAX_CARD_DEPTH levels. */
const tooDeep = (root: unknown): PropertyKey[] | undefined => {
  const path: PropertyKey[] = [];
  const walk = (value: unknown, level: number): boolean => {
    if (typeof value !== 'object' || value === null) return false;
    if (level > MAX_CARD_DEPTH) return true;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        if (walk(value[i], level + 1)) return true;
        path.pop();
      }
    } else {
      for (const key of Object.keys(value)) {
        path.push(key);
        if (walk((value as Record<string, unknown>)[key], level + 1)) return true;
        path.pop();
      }
    }
    return false;
  };
  return walk(root, 1) ? path : undefined;
};

/** Card macros → our template placeholders: {{char}} is the character's name, {{user}} the person chatting. */
const unmacro = (text: string, name: string) => text.replace(/\{\{char\}\}|<BOT>/gi, name).replace(/\{\{user\}\}|<USER>/gi, 'you');

/** Reads a parsed card (V3, V2, or the older flat V1) into a definition; throws saying what is missing. */
export const importCard = (raw: unknown, template: CharacterDefinition = ARIA): ImportedCharacter => {
  if (!isRecord(raw)) throw new Error('not a character card: expected a JSON object');
  const spec = raw.spec === 'chara_card_v3' ? 'chara_card_v3' : 'chara_card_v2';
  if (raw.spec !== undefined && raw.spec !== 'chara_card_v2' && raw.spec !== 'chara_card_v3') {
    throw new Error(`unsupported card spec ${preview(raw.spec)}; expected chara_card_v2 or chara_card_v3`);
  }
  // V1 cards have their fields at the top level.
  const data = (raw.spec ? raw.data : raw) as CardData | undefined;
  const prefix = raw.spec ? 'data' : '';
  if (!isRecord(data)) throw new Error('not a character card: "data" is missing');
  if (typeof data.name !== 'string' || !data.name.trim()) throw new Error('the card has no "name"');
  const fields = CardFieldsSchema.safeParse(data);
  if (!fields.success) throw new Error(describeIssues(fields.error.issues, data, prefix));
  const name = data.name.trim();
  const extensions = isRecord(data.extensions) ? { ...data.extensions } : {};
  const engine = engineExtensionSchema(template).safeParse(extensions[EXTENSION_NAMESPACE] ?? {});
  if (!engine.success) throw new Error(describeIssues(engine.error.issues, extensions[EXTENSION_NAMESPACE], fieldName(prefix, ['extensions', EXTENSION_NAMESPACE])));
  const ours: EngineExtension = engine.data;
  // After the fields' own checks (a deep value where text belongs is "must be text"), before anything writes the card out.
  const deep = tooDeep(raw);
  if (deep) {
    const named = deep.findIndex((key, i) => typeof key === 'number' || i >= 4);
    const field = fieldName('', deep.slice(0, named < 0 ? deep.length : Math.max(named, 1)));
    const where = fieldName('', deep);
    throw new Error(
      `bad card: ${field}: nested more than ${MAX_CARD_DEPTH} levels deep (at ${where.length > 80 ? `${where.slice(0, 79)}…` : where}); a card may hold lists and objects at most ${MAX_CARD_DEPTH} levels inside each other`,
    );
  }
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
    lines: { ...template.lines, ...(greetings.length && { greeting: greetings.map((g) => g.split(name).join('{name}')) }) },
  };
  extensions[EXTENSION_NAMESPACE] = { ...ours, id: definition.id, look: definition.look, baseline: definition.baseline, expressionHoldMs: definition.expressionHoldMs };
  const card: ImportedCharacter['card'] = { spec, spec_version: spec === 'chara_card_v3' ? '3.0' : '2.0', data: { ...data, extensions } };
  const stored = Buffer.byteLength(JSON.stringify(card)) + 1; // as stored, at its most compact (imported-characters.ts)
  if (stored > MAX_STORED_CARD_BYTES) {
    const [largest, bytes] = Object.entries(card.data).reduce<[string, number]>((most, [key, value]) => {
      const size = Buffer.byteLength(JSON.stringify(value) ?? '');
      return size > most[1] ? [key, size] : most;
    }, ['', 0]);
    throw new Error(
      `bad card: it would take ${mib(stored)} stored; a stored card is at most ${limit(MAX_STORED_CARD_BYTES)}: its largest field is ${fieldName(prefix, [largest])} (${mib(bytes)} as JSON)`,
    );
  }
  return { definition, exampleDialogue: text(data.mes_example), scenario: text(data.scenario), card };
};
