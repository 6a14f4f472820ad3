/**
 * Character Card V2 / V3 (the SillyTavern formats) → a character definition. Reads the JSON, or a
 * PNG whose `ccv3` (preferred) or `chara` tEXt/iTXt chunk holds the card as base64 JSON. Unknown
 * extension keys are kept as they are; the engine's own data lives under one namespace,
 * `extensions["persona-engine"]` (look, baseline face, expression hold, voice), and wins over defaults. A
 * card without a look of ours gets one read from its text (`lookFromText`: hair, eyes, skin, clothes).
 * Cards come from strangers: sizes are bounded (file, inflated chunk, JSON, each field) and the
 * engine's namespace is validated, its id a slug, before anything is written or served.
 */
import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import { LookSchema, type Look } from '../protocol/look.js';
import { DEFAULT_VOICE, VoiceSpecSchema, type VoiceSpec } from '../protocol/voice.js';
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
      voice: z
        .strictObject(VoiceSpecSchema.partial().shape, {
          error: (issue) =>
            issue.code === 'unrecognized_keys'
              ? `has unknown keys (${issue.keys.join(', ')}); a voice is { language, name, rate, pitch }, each optional`
              : 'must be { language, name, rate, pitch }, each optional',
        })
        .optional(),
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

/**
 * Card macros written out: {{char}} (and <BOT>, and our own {name}) is the character's name, {{user}}
 * (and <USER>) the person chatting, "you". The lines keep no placeholder, so a greeting reads the same
 * wherever it is shown: served, printed by `persona import-card`, or stored.
 */
const unmacro = (text: string, name: string) => text.replace(/\{\{char\}\}|<BOT>|\{name\}/gi, name).replace(/\{\{user\}\}|<USER>/gi, 'you');

type Rgb = [number, number, number];

/**
 * Colour words, for clothes, accessories and eyes, and for hair and skin where their own tables have
 * no entry (blue hair, green skin). docs/conversation.md shows these tables; keep it in step.
 */
export const CARD_COLOURS: Readonly<Record<string, Rgb>> = {
  black: [35, 35, 40], white: [242, 242, 242], grey: [130, 130, 138], gray: [130, 130, 138], silver: [192, 196, 204], charcoal: [60, 62, 68],
  red: [200, 40, 45], crimson: [170, 20, 50], scarlet: [220, 40, 30], maroon: [120, 30, 45], burgundy: [120, 25, 50],
  pink: [240, 140, 180], rose: [225, 110, 140], magenta: [200, 40, 150], orange: [240, 130, 40], coral: [250, 125, 100], peach: [255, 190, 150],
  yellow: [240, 210, 60], mustard: [205, 165, 50], gold: [215, 170, 55], golden: [215, 170, 55], amber: [215, 140, 40],
  green: [60, 150, 70], emerald: [30, 140, 90], jade: [50, 160, 110], lime: [150, 210, 60], mint: [150, 225, 180], olive: [110, 115, 50], sage: [150, 175, 140],
  teal: [30, 140, 140], turquoise: [60, 200, 200], cyan: [60, 200, 230], aqua: [60, 200, 230],
  blue: [60, 110, 200], navy: [35, 45, 90], azure: [60, 140, 230], cobalt: [0, 70, 170], sapphire: [20, 60, 170], indigo: [75, 50, 130],
  purple: [120, 60, 160], violet: [140, 90, 200], lavender: [180, 160, 220], lilac: [200, 160, 220], plum: [110, 50, 100],
  brown: [110, 70, 40], chocolate: [90, 55, 35], chestnut: [120, 60, 35], tan: [200, 160, 115], beige: [220, 200, 160], khaki: [190, 175, 120],
  cream: [245, 235, 210], ivory: [250, 245, 230], denim: [70, 100, 150], copper: [185, 100, 50], bronze: [175, 120, 60],
};
/** Hair colour words (tried before CARD_COLOURS). */
export const CARD_HAIR_COLOURS: Readonly<Record<string, Rgb>> = {
  black: [28, 24, 26], raven: [22, 20, 26], jet: [22, 20, 26], dark: [45, 32, 28], brown: [92, 56, 38], brunette: [92, 56, 38], chestnut: [120, 60, 35],
  red: [175, 60, 35], ginger: [200, 95, 40], auburn: [140, 55, 35], copper: [185, 95, 45], strawberry: [225, 150, 100],
  blonde: [232, 200, 120], blond: [232, 200, 120], golden: [232, 200, 120], gold: [232, 200, 120], fair: [232, 205, 140], platinum: [235, 228, 205],
  white: [238, 238, 240], silver: [200, 204, 214], grey: [150, 150, 155], gray: [150, 150, 155],
};
/** Eye colour words (tried before CARD_COLOURS). */
export const CARD_EYE_COLOURS: Readonly<Record<string, Rgb>> = {
  brown: [105, 65, 35], hazel: [140, 110, 55], amber: [200, 135, 40], grey: [125, 135, 145], gray: [125, 135, 145], black: [40, 30, 28],
  gold: [210, 170, 60], golden: [210, 170, 60], red: [190, 30, 40], green: [70, 150, 80], blue: [64, 120, 200],
};
/** Skin tone words (tried before CARD_COLOURS). */
export const CARD_SKIN_TONES: Readonly<Record<string, Rgb>> = {
  pale: [255, 230, 215], porcelain: [255, 235, 225], fair: [255, 225, 205], light: [250, 215, 190], olive: [215, 175, 130],
  tan: [205, 155, 110], tanned: [205, 155, 110], bronze: [185, 130, 85], brown: [150, 100, 65], dark: [105, 70, 50], deep: [95, 62, 45], ebony: [80, 52, 40],
};
/** Two-word colours, tried before either word alone. */
const COMPOUND_COLOURS: Readonly<Record<string, Rgb>> = {
  'navy blue': [35, 45, 90], 'sky blue': [120, 180, 235], 'baby blue': [150, 195, 235], 'royal blue': [50, 80, 190], 'ice blue': [170, 210, 240],
  'forest green': [35, 95, 45], 'hot pink': [240, 70, 150], 'blood red': [140, 10, 20], 'jet black': [22, 20, 26],
  'strawberry blonde': [225, 150, 100], 'platinum blonde': [235, 228, 205], 'ash blonde': [200, 190, 160], 'dirty blonde': [180, 150, 95],
};
/** Before a colour: dark/deep darken it (×0.6), light/pale/pastel lighten it (45% towards white). */
const SHADES: Readonly<Record<string, (c: Rgb) => Rgb>> = {
  dark: (c) => c.map((v) => Math.round(v * 0.6)) as Rgb,
  deep: (c) => c.map((v) => Math.round(v * 0.6)) as Rgb,
  light: (c) => c.map((v) => Math.round(v + (255 - v) * 0.45)) as Rgb,
  pale: (c) => c.map((v) => Math.round(v + (255 - v) * 0.45)) as Rgb,
  pastel: (c) => c.map((v) => Math.round(v + (255 - v) * 0.45)) as Rgb,
};

type Garment = { part: 'top' | 'jacket' | 'dress' | 'bottom' | 'shoes' | 'accessory'; style?: string; colour?: Rgb };
/** Clothing words: what they dress, in which style, and a colour when the text gives none (jeans are denim). */
export const CARD_GARMENTS: Readonly<Record<string, Garment>> = {
  shirt: { part: 'top', style: 'tshirt' }, tshirt: { part: 'top', style: 'tshirt' }, tee: { part: 'top', style: 'tshirt' }, blouse: { part: 'top', style: 'tshirt' },
  tank: { part: 'top', style: 'tshirt' }, camisole: { part: 'top', style: 'tshirt' }, polo: { part: 'top', style: 'tshirt' },
  hoodie: { part: 'top', style: 'longsleeve' }, hoody: { part: 'top', style: 'longsleeve' }, sweater: { part: 'top', style: 'longsleeve' }, jumper: { part: 'top', style: 'longsleeve' },
  sweatshirt: { part: 'top', style: 'longsleeve' }, pullover: { part: 'top', style: 'longsleeve' }, turtleneck: { part: 'top', style: 'longsleeve' }, tunic: { part: 'top', style: 'longsleeve' },
  kimono: { part: 'top', style: 'longsleeve' }, longsleeve: { part: 'top', style: 'longsleeve' },
  jacket: { part: 'jacket', style: 'jacket' }, coat: { part: 'jacket', style: 'jacket' }, blazer: { part: 'jacket', style: 'jacket' }, cardigan: { part: 'jacket', style: 'jacket' },
  parka: { part: 'jacket', style: 'jacket' }, overcoat: { part: 'jacket', style: 'jacket' }, trenchcoat: { part: 'jacket', style: 'jacket' }, windbreaker: { part: 'jacket', style: 'jacket' },
  dress: { part: 'dress', style: 'skirt' }, gown: { part: 'dress', style: 'skirt' }, sundress: { part: 'dress', style: 'skirt' }, frock: { part: 'dress', style: 'skirt' },
  skirt: { part: 'bottom', style: 'skirt' }, miniskirt: { part: 'bottom', style: 'skirt' }, kilt: { part: 'bottom', style: 'skirt' }, shorts: { part: 'bottom', style: 'shorts' },
  trousers: { part: 'bottom', style: 'trousers' }, pants: { part: 'bottom', style: 'trousers' }, slacks: { part: 'bottom', style: 'trousers' }, leggings: { part: 'bottom', style: 'trousers' },
  chinos: { part: 'bottom', style: 'trousers' }, joggers: { part: 'bottom', style: 'trousers' }, sweatpants: { part: 'bottom', style: 'trousers' },
  jeans: { part: 'bottom', style: 'trousers', colour: [70, 100, 150] },
  boots: { part: 'shoes', style: 'boots' }, sneakers: { part: 'shoes', style: 'sneakers' }, trainers: { part: 'shoes', style: 'sneakers' },
  shoes: { part: 'shoes' }, heels: { part: 'shoes' }, sandals: { part: 'shoes' }, loafers: { part: 'shoes' },
  glasses: { part: 'accessory', style: 'glasses' }, spectacles: { part: 'accessory', style: 'glasses' }, eyeglasses: { part: 'accessory', style: 'glasses' },
  sunglasses: { part: 'accessory', style: 'glasses' }, bespectacled: { part: 'accessory', style: 'glasses' },
  beanie: { part: 'accessory', style: 'beanie' }, toque: { part: 'accessory', style: 'beanie' }, scarf: { part: 'accessory', style: 'scarf' },
  headband: { part: 'accessory', style: 'headband' }, hairband: { part: 'accessory', style: 'headband' }, bandana: { part: 'accessory', style: 'headband' },
};
/** Hair style words (or two words) anywhere in the text; they win over CARD_HAIR_WORDS. "bob" counts only in lower case: Bob is a name. */
export const CARD_HAIR_STYLES: Readonly<Record<string, NonNullable<Look['hairStyle']>>> = {
  ponytail: 'ponytail', ponytails: 'ponytail', 'pony tail': 'ponytail', pigtails: 'ponytail', twintails: 'ponytail', braid: 'ponytail', braids: 'ponytail', braided: 'ponytail',
  bob: 'bob', bobbed: 'bob', 'bob cut': 'bob', pageboy: 'bob', mohawk: 'spiky', 'pixie cut': 'short', 'buzz cut': 'short', buzzcut: 'short', 'crew cut': 'short',
};
/** Words that set the hair's style only next to "hair" ("short spiky hair", "her hair is long"), as a colour is read. */
export const CARD_HAIR_WORDS: Readonly<Record<string, NonNullable<Look['hairStyle']>>> = {
  short: 'short', cropped: 'short', buzzed: 'short', long: 'long', flowing: 'long', waist: 'long', shoulder: 'bob', spiky: 'spiky', spiked: 'spiky',
};

const HAIR_NOUNS = new Set(['hair', 'locks', 'mane', 'hairstyle', 'haircut']);
const EYE_NOUNS = new Set(['eyes', 'eye', 'irises']);
const SKIN_NOUNS = new Set(['skin', 'complexion']);
const COPULAS = new Set(['is', 'are', 'was', 'were']);
/** Words that mean "hair" without the noun ("a blonde", "a redhead"), and its colour word. Used only when no "… hair" names a colour. */
const HAIR_ALONE: Readonly<Record<string, string>> = { blonde: 'blonde', blond: 'blond', redhead: 'red', brunette: 'brunette' };

/**
 * A look from a card's text (description, personality, tags): `base`, with what the text names
 * ("silver hair in a ponytail, green eyes, wears a red hoodie") put over it. A colour belongs to the
 * noun it comes just before (up to four words back, in the same sentence: "long silver hair") or just
 * after "is"/"are" ("her eyes are green"); the first mention of each part wins.
 */
export const lookFromText = (source: string, base: Look): Look => {
  const words = source
    .replace(/-(haired|eyed|skinned)\b/gi, (_, w: string) => ({ haired: ' hair', eyed: ' eyes', skinned: ' skin' })[w.toLowerCase()]!)
    .replace(/\b(haired)\b/gi, 'hair')
    .match(/[A-Za-z]+|[.;:!?()[\]\n*"]/g) ?? [];
  const lower = words.map((w) => w.toLowerCase());
  const dressAsWord = (i: number) => lower[i] === 'dress' && ['shirt', 'shoes', 'pants', 'code', 'up'].includes(lower[i + 1] ?? '');
  const isNoun = (i: number) =>
    HAIR_NOUNS.has(lower[i]!) || EYE_NOUNS.has(lower[i]!) || SKIN_NOUNS.has(lower[i]!) || (Object.hasOwn(CARD_GARMENTS, lower[i]!) && !dressAsWord(i));
  const isStop = (i: number) => /^[.;:!?()[\]\n*"]$/.test(words[i]!) || isNoun(i);
  /** The colour word at `j` (with a two-word colour or a shade before it), from `table` then CARD_COLOURS. */
  const colourAt = (j: number, table: Readonly<Record<string, Rgb>>): Rgb | undefined => {
    const word = lower[j]!;
    const pair = `${lower[j - 1] ?? ''} ${word}`;
    if (Object.hasOwn(COMPOUND_COLOURS, pair)) return [...COMPOUND_COLOURS[pair]!];
    const colour = Object.hasOwn(table, word) ? table[word] : Object.hasOwn(CARD_COLOURS, word) ? CARD_COLOURS[word] : undefined;
    if (!colour) return undefined;
    const shade = lower[j - 1] ?? '';
    return Object.hasOwn(SHADES, shade) ? SHADES[shade]!(colour) : [...colour]; // a copy: the look is the card's, the tables stay as they are
  };
  /** The words that describe noun `i`: up to four before it (nearest first), back to the sentence's start or another noun; then up to three after "is"/"are". */
  const describing = (i: number) => {
    const found: number[] = [];
    for (let j = i - 1; j >= 0 && found.length < 4 && !isStop(j); j--) found.push(j);
    if (COPULAS.has(lower[i + 1] ?? '')) for (let j = i + 2; j < Math.min(words.length, i + 5) && !isStop(j); j++) found.push(j);
    return found;
  };
  const colourOf = (i: number, table: Readonly<Record<string, Rgb>>): Rgb | undefined => {
    for (const j of describing(i)) {
      const colour = colourAt(j, table);
      if (colour) return colour;
    }
    return undefined;
  };

  const look: Look = { ...base };
  let hair: Rgb | undefined, eyes: Rgb | undefined, skin: Rgb | undefined, hairAlone: Rgb | undefined;
  let style: Look['hairStyle'], near: Look['hairStyle'];
  const worn: Partial<Record<Garment['part'], Garment & { colour?: Rgb }>> = {};
  for (let i = 0; i < words.length; i++) {
    const word = lower[i]!;
    const pair = `${word} ${lower[i + 1] ?? ''}`;
    if (Object.hasOwn(CARD_HAIR_STYLES, pair)) style ??= CARD_HAIR_STYLES[pair];
    else if (Object.hasOwn(CARD_HAIR_STYLES, word) && (word !== 'bob' || words[i] === 'bob')) style ??= CARD_HAIR_STYLES[word];
    if (Object.hasOwn(HAIR_ALONE, word)) hairAlone ??= word === HAIR_ALONE[word] ? colourAt(i, CARD_HAIR_COLOURS) : [...CARD_HAIR_COLOURS[HAIR_ALONE[word]!]!];
    if (HAIR_NOUNS.has(word)) {
      hair ??= colourOf(i, CARD_HAIR_COLOURS);
      for (const j of describing(i)) if (Object.hasOwn(CARD_HAIR_WORDS, lower[j]!)) near ??= CARD_HAIR_WORDS[lower[j]!];
    } else if (EYE_NOUNS.has(word)) eyes ??= colourOf(i, CARD_EYE_COLOURS);
    else if (SKIN_NOUNS.has(word)) skin ??= colourOf(i, CARD_SKIN_TONES);
    else if (Object.hasOwn(CARD_GARMENTS, word) && !dressAsWord(i)) {
      const garment = CARD_GARMENTS[word]!;
      // "a long-sleeved shirt": a shirt with long sleeves.
      const longSleeved = garment.part === 'top' && describing(i).some((j) => lower[j] === 'sleeved' && lower[j - 1] === 'long');
      worn[garment.part] ??= { ...garment, ...(longSleeved && { style: 'longsleeve' }), colour: colourOf(i, CARD_COLOURS) ?? (garment.colour && [...garment.colour]) };
    }
  }
  if (hair ?? hairAlone) look.hair = hair ?? hairAlone;
  if (style ?? near) look.hairStyle = style ?? near;
  if (eyes) look.eyes = eyes;
  if (skin) look.skin = skin;
  const { top, jacket, dress, bottom, shoes, accessory } = worn;
  if (jacket) {
    look.topStyle = 'jacket';
    if (jacket.colour) look.top = jacket.colour;
    const under = top ?? dress;
    if (under?.colour) look.topAccent = under.colour;
  } else if (top) {
    look.topStyle = top.style as Look['topStyle'];
    if (top.colour) look.top = top.colour;
  } else if (dress?.colour) look.top = dress.colour;
  if (bottom) {
    look.bottomStyle = bottom.style as Look['bottomStyle'];
    if (bottom.colour) look.bottom = bottom.colour;
  } else if (dress) {
    look.bottomStyle = 'skirt';
    if (dress.colour) look.bottom = dress.colour;
  }
  if (shoes) {
    if (shoes.style) look.shoeStyle = shoes.style as Look['shoeStyle'];
    if (shoes.colour) look.shoes = shoes.colour;
  }
  if (accessory) {
    look.accessory = accessory.style as Look['accessory'];
    if (accessory.colour) look.accessoryColour = accessory.colour;
  }
  return look;
};

/**
 * The voice of an imported character: the card's `voice` fields over the template's voice. A card that
 * names a language but no voice gets that language's espeak-ng voice; and one whose voice is not named
 * keeps the template's variant unless its text says he or she (a man's card does not speak as Aria).
 */
export const cardVoice = (card: Partial<VoiceSpec> | undefined, cardText: string, template: VoiceSpec = DEFAULT_VOICE): VoiceSpec => {
  const voice = { ...template, ...card };
  if (card?.name) return voice;
  const [base = '', variant = ''] = (card?.language ? `${card.language.toLowerCase()}+${template.name.split('+')[1] ?? ''}` : template.name).split('+');
  const count = (re: RegExp) => cardText.match(re)?.length ?? 0;
  const he = count(/\b(he|him|his|himself)\b/gi);
  const she = count(/\b(she|her|hers|herself)\b/gi);
  const sounds = he > 2 * she && he >= 2 ? 'm3' : she > 2 * he && she >= 2 ? 'f3' : variant;
  return { ...voice, name: sounds ? `${base}+${sounds}` : base };
};

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
    // The card's own look, exactly; else one read from its text over the template's (without its accessory).
    look: ours.look ?? lookFromText([text(data.description), text(data.personality), ...(Array.isArray(data.tags) ? data.tags.map(text) : [])].join('.\n'), { ...template.look, accessory: 'none' }),
    baseline: ours.baseline ?? template.baseline,
    expressionHoldMs: ours.expressionHoldMs ?? template.expressionHoldMs,
    voice: cardVoice(ours.voice, [text(data.description), text(data.personality), text(data.first_mes)].join('\n'), template.voice),
    lines: { ...template.lines, ...(greetings.length && { greeting: greetings }) },
  };
  extensions[EXTENSION_NAMESPACE] = {
    ...ours,
    id: definition.id,
    look: definition.look,
    baseline: definition.baseline,
    expressionHoldMs: definition.expressionHoldMs,
    voice: definition.voice,
  };
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
