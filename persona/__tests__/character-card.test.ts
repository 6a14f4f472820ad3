/** Character Card V2 and V3 as JSON and inside PNG text chunks (tEXt, iTXt, compressed iTXt). */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { ARIA } from '../../characters/aria.js';
import {
  CARD_COLOURS,
  CARD_EYE_COLOURS,
  CARD_GARMENTS,
  CARD_HAIR_COLOURS,
  CARD_HAIR_STYLES,
  CARD_HAIR_WORDS,
  CARD_SKIN_TONES,
  EXTENSION_NAMESPACE,
  importCard,
  lookFromText,
  readCardBytes,
} from '../character-card.js';
import { LookSchema } from '../../protocol/look.js';
import { MAX_STORED_CARD_BYTES, listImportedCharacters, loadImportedCharacter, saveImportedCharacter } from '../imported-characters.js';
import { pngChunk as chunk } from './png-chunks.js';

/** A real 2×2 PNG (pngjs) with text chunks inserted before IEND, as card editors write them. */
const pngWith = (...chunks: Buffer[]) => {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(200);
  const bytes = PNG.sync.write(png);
  const iend = bytes.length - 12;
  return Buffer.concat([bytes.subarray(0, iend), ...chunks, bytes.subarray(iend)]);
};
const tEXt = (keyword: string, text: string) => chunk('tEXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')]));
const iTXt = (keyword: string, text: string, compress = false) =>
  chunk('iTXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from([compress ? 1 : 0, 0]), Buffer.from('\0\0'), compress ? deflateSync(Buffer.from(text)) : Buffer.from(text)]));
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');

const v2 = {
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: {
    name: 'Seraphina',
    description: '{{char}} is a gentle forest guardian who heals travellers.',
    personality: 'kind, calm, protective',
    scenario: '{{user}} wakes up in her glade.',
    first_mes: '*{{char}} smiles* You are safe now, {{user}}.',
    mes_example: '<START>\n{{user}}: Who are you?\n{{char}}: I am Seraphina.',
    alternate_greetings: ['Welcome back!'],
    tags: ['fantasy'],
    creator: 'someone',
    extensions: { depth_prompt: { prompt: 'x', depth: 4 }, talkativeness: '0.5', [EXTENSION_NAMESPACE]: { look: { ...ARIA.look, hairStyle: 'long' } } },
  },
};
const v3 = { ...v2, spec: 'chara_card_v3', spec_version: '3.0', data: { ...v2.data, name: 'Seraphina V3', nickname: 'Sera', group_only_greetings: [], assets: [{ type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' }] } };

describe('character cards', () => {
  it('imports a V2 JSON card into a definition, keeping unknown extensions and reading our namespace', () => {
    const { definition, card, exampleDialogue, scenario } = importCard(readCardBytes(Buffer.from(JSON.stringify(v2))));
    expect(definition).toMatchObject({ id: 'seraphina', name: 'Seraphina' });
    expect(definition.personality).toMatch(/^Seraphina is a gentle forest guardian[\s\S]*kind, calm, protective[\s\S]*Scenario: you wakes up/);
    expect(definition.lines.greeting).toEqual(['*Seraphina smiles* You are safe now, you.', 'Welcome back!']);
    expect(definition.look.hairStyle).toBe('long');
    expect(definition.vocabulary).toBe(ARIA.vocabulary);
    expect(exampleDialogue).toMatch(/you: Who are you\?\nSeraphina: I am Seraphina/);
    expect(scenario).toBe('you wakes up in her glade.');
    expect(card.spec).toBe('chara_card_v2');
    expect(card.data.extensions).toMatchObject({ depth_prompt: { prompt: 'x', depth: 4 }, talkativeness: '0.5', [EXTENSION_NAMESPACE]: { id: 'seraphina' } });
    expect(card.data.tags).toEqual(['fantasy']);
  });

  it('imports a V3 card from a PNG, preferring ccv3 over chara', () => {
    const png = pngWith(tEXt('chara', b64(v2)), tEXt('ccv3', b64(v3)));
    const { definition, card } = importCard(readCardBytes(png));
    expect(definition.name).toBe('Seraphina V3');
    expect(card.spec).toBe('chara_card_v3');
    expect(card.data.nickname).toBe('Sera');
    expect(card.data.assets).toEqual(v3.data.assets);
  });

  it('reads a V2 card from a PNG tEXt chunk and from iTXt, plain and compressed', () => {
    expect(importCard(readCardBytes(pngWith(tEXt('chara', b64(v2))))).definition.id).toBe('seraphina');
    const utf8 = { ...v2, data: { ...v2.data, name: 'Zoë 🌸' } };
    expect(importCard(readCardBytes(pngWith(iTXt('chara', b64(utf8))))).definition.name).toBe('Zoë 🌸');
    expect(importCard(readCardBytes(pngWith(iTXt('chara', b64(utf8), true)))).definition.id).toBe('zoe');
  });

  it('says what is wrong with a file that is not a card', () => {
    expect(() => readCardBytes(pngWith(tEXt('Software', 'paint')))).toThrow(/no character card: no "ccv3" or "chara" text chunk \(found: Software\)/);
    expect(() => readCardBytes(Buffer.from('hello'))).toThrow(/neither a PNG nor JSON/);
    expect(() => importCard({ spec: 'chara_card_v9', data: {} })).toThrow(/unsupported card spec "chara_card_v9"/);
    expect(() => importCard({ spec: 'chara_card_v2', data: { description: 'x' } })).toThrow(/no "name"/);
    expect(() => readCardBytes(pngWith(tEXt('chara', b64(v2))).subarray(0, 60))).toThrow(/truncated/);
  });
});

/** The engine's namespace in a V2 card, with the rest of the card as in `v2`. */
const withEngine = (engine: unknown, data: Record<string, unknown> = {}) => ({
  ...v2,
  data: { ...v2.data, ...data, extensions: { ...v2.data.extensions, [EXTENSION_NAMESPACE]: engine } },
});
const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('character cards: the engine extension is validated at import (issue 11)', () => {
  it('refuses an id that is not a slug, naming the field and what to do', () => {
    for (const id of ['../../../x/settings', '', {}, 'a/b', 'UPPER', '.hidden', 'x'.repeat(65)]) {
      expect(() => importCard(withEngine({ id })), JSON.stringify(id)).toThrow(/data\.extensions\["persona-engine"\]\.id: (must be text|must be 1–64 lowercase letters, digits or "-")/);
    }
  });

  it('slugs the default id from any name, and keeps a good id', () => {
    expect(importCard(withEngine({}, { name: '../../../x/settings' })).definition.id).toBe('x-settings');
    expect(importCard(withEngine({}, { name: '🌸🌸' })).definition.id).toBe('character');
    expect(importCard(withEngine({ id: 'sera-2' })).definition.id).toBe('sera-2');
    expect(importCard(withEngine({}, { name: `${'a'.repeat(39)} b` })).definition.id).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
  });

  it('validates the look with LookSchema, and bounds baseline and expressionHoldMs', () => {
    expect(() => importCard(withEngine({ look: { hairStyle: 'mohawk' } }))).toThrow(/extensions\["persona-engine"\]\.look\.hairStyle/);
    expect(() => importCard(withEngine({ look: { skin: [999, 0, 0] } }))).toThrow(/look\.skin/);
    expect(() => importCard(withEngine({ look: 'blue' }))).toThrow(/look/);
    expect(() => importCard(withEngine({ baseline: { expression: 'neutral', intensity: 5 } }))).toThrow(/baseline\.intensity/);
    expect(() => importCard(withEngine({ baseline: { expression: 'nonsense', intensity: 0.2 } }))).toThrow(/baseline\.expression/);
    expect(() => importCard(withEngine({ expressionHoldMs: 1e12 }))).toThrow(/expressionHoldMs/);
    expect(() => importCard(withEngine({ expressionHoldMs: -1 }))).toThrow(/expressionHoldMs/);
    expect(() => importCard(withEngine('not an object'))).toThrow(/extensions\["persona-engine"\]/);
    const good = importCard(withEngine({ look: { hairStyle: 'spiky' }, baseline: { expression: 'happy', intensity: 0.3 }, expressionHoldMs: 2500 }));
    expect(good.definition).toMatchObject({ look: { hairStyle: 'spiky' }, baseline: { expression: 'happy', intensity: 0.3 }, expressionHoldMs: 2500 });
  });

  it('never echoes a huge value in the error', () => {
    const huge = 'x'.repeat(1_000_000);
    for (const card of [withEngine({ id: huge }), withEngine({}, { name: huge }), withEngine({ look: { hairStyle: huge } })]) {
      const message = errorOf(() => importCard(card)).message;
      expect(message.length).toBeLessThan(400);
    }
  });
});

describe('character cards: sizes are bounded (issue 11)', () => {
  it('stops inflating a compressed iTXt chunk at the limit instead of taking gigabytes', () => {
    const bomb = chunk('iTXt', Buffer.concat([Buffer.from('chara\0', 'latin1'), Buffer.from([1, 0]), Buffer.from('\0\0'), deflateSync(Buffer.alloc(64 << 20, 0x41))]));
    const png = pngWith(bomb);
    expect(png.length).toBeLessThan(200_000);
    expect(() => readCardBytes(png)).toThrow(/"chara" text chunk inflates to more than 3 MiB/);
  });

  it('refuses a PNG file or a card JSON that is too large', () => {
    const bigPng = Buffer.concat([pngWith(tEXt('chara', b64(v2))), Buffer.alloc(21 << 20)]);
    expect(() => readCardBytes(bigPng)).toThrow(/the PNG is 21\.\d MiB; a card image is at most 20 MiB/);
    const bigJson = Buffer.from(JSON.stringify({ ...v2, data: { ...v2.data, creator_notes: 'x'.repeat(3 << 20) } }));
    expect(() => readCardBytes(bigJson)).toThrow(/the card JSON is 3\.0 MiB; at most 2 MiB/);
    const bigText = pngWith(tEXt('chara', 'A'.repeat(4 << 20)));
    expect(() => readCardBytes(bigText)).toThrow(/"chara" text chunk is 4\.0 MiB; at most 3 MiB/);
  });

  it('bounds the text fields, saying which field and its limit', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'n'.repeat(101) }, /data\.name: .*at most 100 characters \(it has 101\)/],
      [{ first_mes: 'g'.repeat(10 << 20) }, /data\.first_mes: .*at most 16384 characters \(it has 10485760\)/],
      [{ description: 'd'.repeat(40_000) }, /data\.description: .*at most 32768 characters/],
      [{ personality: 'p'.repeat(20_000) }, /data\.personality: .*at most 16384 characters/],
      [{ scenario: 's'.repeat(20_000) }, /data\.scenario: .*at most 16384 characters/],
      [{ mes_example: 'm'.repeat(40_000) }, /data\.mes_example: .*at most 32768 characters/],
      [{ system_prompt: 's'.repeat(20_000) }, /data\.system_prompt: .*at most 16384 characters/],
      [{ alternate_greetings: Array.from({ length: 65 }, () => 'hi') }, /data\.alternate_greetings: .*at most 64/],
      [{ alternate_greetings: ['ok', 'g'.repeat(20_000)] }, /data\.alternate_greetings\[1\]: .*at most 16384 characters/],
      [{ tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, /data\.tags: .*at most 64/],
      [{ tags: ['t'.repeat(101)] }, /data\.tags\[0\]: .*at most 100 characters/],
      [{ first_mes: 42 }, /data\.first_mes: must be text/],
    ];
    for (const [data, message] of cases) {
      const error = errorOf(() => importCard({ ...v2, data: { ...v2.data, ...data } }));
      expect(error.message, Object.keys(data)[0]).toMatch(message);
      expect(error.message.length).toBeLessThan(400);
    }
    // A V1 card (fields at the top level) names the field without "data.".
    expect(() => importCard({ name: 'Old', first_mes: 'g'.repeat(20_000) })).toThrow(/(^|[^.])first_mes: .*at most 16384/);
    // Empty or missing fields stay fine, as real cards leave them out or null.
    expect(importCard({ ...v2, data: { ...v2.data, scenario: null, mes_example: undefined, tags: null } }).definition.name).toBe('Seraphina');
  });
});

describe('imported characters: the store keeps every card file in <data dir>/characters/ (issue 11)', () => {
  const withDataDir = (test: (dataDir: string, root: string) => void) => () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'persona-store-'));
    try {
      test(path.join(root, 'data'), root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };

  it(
    'saves a card as <id>.json and loads it back',
    withDataDir((dataDir) => {
      const file = saveImportedCharacter(importCard(v2), dataDir);
      expect(file).toBe(path.join(dataDir, 'characters', 'seraphina.json'));
      expect(loadImportedCharacter('seraphina', dataDir)).toMatchObject({ id: 'seraphina', name: 'Seraphina' });
      expect(listImportedCharacters(dataDir)).toEqual(['seraphina']);
      expect(loadImportedCharacter('nobody', dataDir)).toBeUndefined();
    }),
  );

  it(
    'refuses to write a card whose id would put the file anywhere else, whoever built it',
    withDataDir((dataDir, root) => {
      const imported = importCard(v2);
      for (const id of ['../../escaped', '/tmp/escaped', 'a/b', '.hidden', '-dash', 'UPPER', 'x'.repeat(65), ''])
        expect(() => saveImportedCharacter({ ...imported, definition: { ...imported.definition, id } }, dataDir), id).toThrow(/refusing to write the card with id .*must be in .*characters/);
      expect(readdirSync(root)).toEqual([]);
    }),
  );

  it(
    'replaces a link planted at <id>.json instead of writing through it',
    withDataDir((dataDir, root) => {
      const outside = path.join(root, 'outside.txt');
      writeFileSync(outside, 'keep me');
      mkdirSync(path.join(dataDir, 'characters'), { recursive: true });
      symlinkSync(outside, path.join(dataDir, 'characters', 'seraphina.json'));
      saveImportedCharacter(importCard(v2), dataDir);
      expect(readFileSync(outside, 'utf8')).toBe('keep me');
      expect(loadImportedCharacter('seraphina', dataDir)?.name).toBe('Seraphina');
      expect(readdirSync(path.join(dataDir, 'characters'))).toEqual(['seraphina.json']);
    }),
  );

  it(
    'loads only ids that CHARACTER_ID allows, and never reads a stored file too large to be a card',
    withDataDir((dataDir) => {
      const folder = path.join(dataDir, 'characters');
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, '-dash.json'), JSON.stringify(v2));
      expect(loadImportedCharacter('-dash', dataDir)).toBeUndefined();
      expect(loadImportedCharacter('../characters/-dash', dataDir)).toBeUndefined();
      writeFileSync(path.join(folder, 'huge.json'), JSON.stringify({ ...v2, data: { ...v2.data, creator_notes: 'n'.repeat(5 << 20) } }));
      expect(() => loadImportedCharacter('huge', dataDir)).toThrow(/huge\.json is 5\.0 MiB; a stored card is at most 4 MiB/);
      expect(listImportedCharacters(dataDir)).toEqual(['huge']);
      expect(existsSync(path.join(folder, 'huge.json'))).toBe(true);
    }),
  );
});

/** `depth` lists inside each other, as JSON.parse reads them from a card file (JSON.stringify could not write this). */
const deepList = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
/** A V2 card as file bytes, with `field` holding `value` written as raw JSON text. */
const cardBytesWith = (field: string, valueJson: string) => {
  const text = JSON.stringify({ ...v2, data: { ...v2.data, [field]: '@@' } });
  return Buffer.from(text.replace('"@@"', valueJson));
};

describe('character cards: deep values (fuzz: card-deep-value-refused, card-deep-value-stored)', () => {
  it('refuses a deep value in a checked field as "must be text", not with a stack overflow', () => {
    for (const depth of [5_000, 100_000]) {
      const error = errorOf(() => importCard(readCardBytes(cardBytesWith('description', '['.repeat(depth) + ']'.repeat(depth)))));
      expect(error.constructor, error.message).toBe(Error);
      expect(error.message).toMatch(/^bad card: data\.description: must be text \(got \[\[\[/);
      expect(error.message.length).toBeLessThan(400);
    }
    const look = errorOf(() => importCard(withEngine({ look: { skin: deepList(5_000) } })));
    expect(look.constructor, look.message).toBe(Error);
    expect(look.message).toMatch(/look\.skin/);
    const spec = errorOf(() => importCard({ spec: deepList(100_000), data: v2.data }));
    expect(spec.constructor, spec.message).toBe(Error);
    expect(spec.message).toMatch(/unsupported card spec/);
    expect(spec.message.length).toBeLessThan(400);
  });

  it('refuses a card nested more than 32 levels deep anywhere, naming where, so what is accepted can be stored', () => {
    for (const field of ['creator', 'talkativeness']) {
      const bytes = field === 'creator' ? cardBytesWith('creator', '['.repeat(5_000) + ']'.repeat(5_000)) : Buffer.from(JSON.stringify({ ...v2, data: { ...v2.data, extensions: { talkativeness: '@@' } } }).replace('"@@"', '['.repeat(5_000) + ']'.repeat(5_000)));
      const error = errorOf(() => importCard(readCardBytes(bytes)));
      expect(error.constructor, error.message).toBe(Error);
      expect(error.message).toMatch(field === 'creator' ? /^bad card: data\.creator: nested more than 32 levels deep \(at data\.creator\[0\]\[0\]\[0\]/ : /^bad card: data\.extensions\.talkativeness: nested more than 32 levels deep \(at data\.extensions\.talkativeness\[0\]/);
      expect(error.message.length).toBeLessThan(400);
    }
    // A V1 card (no "data") names the field from the top; an unknown engine field is held to it too.
    expect(() => importCard({ name: 'Old', creator_notes: deepList(40) })).toThrow(/^bad card: creator_notes: nested more than 32 levels deep \(at creator_notes\[0\]/);
    expect(() => importCard(withEngine({ notes: deepList(40) }))).toThrow(/^bad card: data\.extensions\["persona-engine"\]\.notes: nested more than 32 levels deep/);
    // 32 levels (the card itself is the first) are fine, and they store and load back.
    const deepest = importCard({ ...v2, data: { ...v2.data, creator: deepList(30) } });
    expect(JSON.parse(JSON.stringify(deepest.card)).data.creator).toEqual(deepList(30));
    expect(() => importCard({ ...v2, data: { ...v2.data, creator: deepList(31) } })).toThrow(/nested more than 32 levels deep/);
  });
});

describe('imported characters: what is accepted can be loaded (fuzz: card-stored-too-large)', () => {
  const inDataDir = (test: (dataDir: string) => void) => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'persona-store-'));
    try {
      test(path.join(root, 'data'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };

  it('stores a card under the import limit so that it loads back, however it was written', () => {
    // 1.8 MB of numbers in a field of its own: 7.7 MiB once pretty-printed, one number a line.
    const bytes = cardBytesWith('numbers', `[${'1,'.repeat(900_000)}1]`);
    expect(bytes.length).toBeLessThan(2 << 20);
    inDataDir((dataDir) => {
      const file = saveImportedCharacter(importCard(readCardBytes(bytes)), dataDir);
      expect(readFileSync(file).length).toBeLessThanOrEqual(MAX_STORED_CARD_BYTES);
      expect(loadImportedCharacter('seraphina', dataDir)?.name).toBe('Seraphina');
    });
  });

  it('keeps an ordinary card pretty-printed, for people to read and edit', () => {
    inDataDir((dataDir) => {
      const text = readFileSync(saveImportedCharacter(importCard(v2), dataDir), 'utf8');
      expect(text).toMatch(/^\{\n {2}"spec": "chara_card_v2",\n/);
      expect(text.endsWith('}\n')).toBe(true);
    });
  });

  it('refuses at import a card that would be over the stored-card limit once written out, naming its largest field', () => {
    // Both under 2 MiB as given, over 4 MiB as JSON.stringify writes them: numbers in full, and bytes that are not UTF-8 as U+FFFD (3 bytes each).
    const numbers = cardBytesWith('numbers', `[${'1e20,'.repeat(400_000)}1]`);
    const notUtf8 = Buffer.concat([Buffer.from(JSON.stringify({ ...v2, data: { ...v2.data, creator_notes: '' } }).replace('"creator_notes":""', '"creator_notes":"')), Buffer.alloc(1_600_000, 0xff), Buffer.from('"}}')]);
    for (const [bytes, field] of [
      [numbers, 'data.numbers'],
      [notUtf8, 'data.creator_notes'],
    ] as const) {
      expect(bytes.length).toBeLessThan(2 << 20);
      const error = errorOf(() => importCard(readCardBytes(bytes)));
      expect(error.constructor, error.message).toBe(Error);
      expect(error.message).toMatch(new RegExp(`^bad card: it would take \\d\\.\\d MiB stored; a stored card is at most 4 MiB: its largest field is ${field.replace('.', '\\.')} \\(\\d\\.\\d MiB as JSON\\)`));
      expect(error.message.length).toBeLessThan(400);
    }
  });
});

describe('character cards: the look comes from the card (issue 18 item 14)', () => {
  const luna = {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: {
      name: 'Luna',
      description: '{{char}} has silver hair in a ponytail, green eyes, wears a red hoodie.',
      personality: 'dreamy, kind',
      first_mes: "Hi, I'm {{char}}! Nice to meet you, {{user}}.",
      tags: ['fantasy'],
    },
  };
  const ariaWithout = { ...ARIA.look, accessory: 'none' };

  it('reads hair colour and style, eye colour and outfit from the description, over a base look', () => {
    const { definition, card } = importCard(luna);
    expect(definition.look).toEqual({
      ...ariaWithout,
      hair: CARD_HAIR_COLOURS.silver,
      hairStyle: 'ponytail',
      eyes: CARD_EYE_COLOURS.green,
      top: CARD_COLOURS.red,
      topStyle: 'longsleeve',
    });
    expect(LookSchema.parse(definition.look)).toEqual(definition.look);
    expect(definition.look).not.toEqual(ARIA.look);
    // The stored card carries the look, so loading it back gives the same one.
    expect((card.data.extensions![EXTENSION_NAMESPACE] as { look: unknown }).look).toEqual(definition.look);
    expect(importCard(JSON.parse(JSON.stringify(card))).definition.look).toEqual(definition.look);
  });

  it('lets the card\'s extensions["persona-engine"].look set the look exactly, whatever the text says', () => {
    const exact = { hairStyle: 'bob', hair: [10, 20, 30] };
    const { definition } = importCard({ ...luna, data: { ...luna.data, extensions: { [EXTENSION_NAMESPACE]: { look: exact } } } });
    expect(definition.look).toEqual(exact);
  });

  it('gives a card that says nothing of looks the base look, and reads tags and personality too', () => {
    expect(importCard({ name: 'Plain', description: 'A quiet librarian who loves tea.' }).definition.look).toEqual(ariaWithout);
    expect(importCard({ name: 'Tagged', personality: 'shy; wears glasses', tags: ['blonde hair', 'boots'] }).definition.look).toEqual({
      ...ariaWithout,
      hair: CARD_HAIR_COLOURS.blonde,
      accessory: 'glasses',
      shoeStyle: 'boots',
    });
  });

  it('maps the words of the documented table', () => {
    const base = ariaWithout as typeof ARIA.look;
    const cases: [string, Record<string, unknown>][] = [
      ['Long, flowing dark brown hair.', { hairStyle: 'long', hair: CARD_HAIR_COLOURS.brown!.map((v) => Math.round(v * 0.6)) }],
      ['Her hair is short and black. Her eyes are a deep blue.', { hairStyle: 'short', hair: CARD_HAIR_COLOURS.black, eyes: CARD_EYE_COLOURS.blue!.map((v) => Math.round(v * 0.6)) }],
      ['A black leather jacket over a white t-shirt, blue jeans and boots.', { topStyle: 'jacket', top: CARD_COLOURS.black, topAccent: CARD_COLOURS.white, bottomStyle: 'trousers', bottom: CARD_COLOURS.blue, shoeStyle: 'boots' }],
      ['She wears jeans.', { bottomStyle: 'trousers', bottom: [70, 100, 150] }],
      ['A sky blue sundress and sandals.', { top: [120, 180, 235], bottom: [120, 180, 235], bottomStyle: 'skirt' }],
      ['A white dress shirt and a navy skirt.', { topStyle: 'tshirt', top: CARD_COLOURS.white, bottom: CARD_COLOURS.navy, bottomStyle: 'skirt' }],
      ['Short spiky blonde hair, tanned skin, a grey beanie, khaki shorts.', { hairStyle: 'spiky', hair: CARD_HAIR_COLOURS.blonde, skin: CARD_SKIN_TONES.tanned, accessory: 'beanie', accessoryColour: CARD_COLOURS.grey, bottomStyle: 'shorts', bottom: CARD_COLOURS.khaki }],
      ['A redhead with pale skin, green-eyed, in a long-sleeved purple shirt.', { hair: [175, 60, 35], skin: CARD_SKIN_TONES.pale, eyes: CARD_EYE_COLOURS.green, topStyle: 'longsleeve', top: CARD_COLOURS.purple }],
      ['Bob is her brother; he has a blue scarf.', { accessory: 'scarf', accessoryColour: CARD_COLOURS.blue }],
      ['a neat bob, strawberry blonde', { hairStyle: 'bob', hair: [225, 150, 100] }],
      ['A dark-haired woman.', { hair: CARD_HAIR_COLOURS.dark }],
      ['He is a brunette with light blue eyes.', { hair: CARD_HAIR_COLOURS.brunette, eyes: CARD_EYE_COLOURS.blue!.map((v) => Math.round(v + (255 - v) * 0.45)) }],
      ['She has strawberry blonde hair.', { hair: [225, 150, 100] }],
      ['A mischievous pixie in a cropped jacket with a spiked collar.', { topStyle: 'jacket' }],
      ['Her hair is in a pixie cut.', { hairStyle: 'short' }],
    ];
    for (const [text, expected] of cases) {
      const look = lookFromText(text, base);
      expect(look, text).toEqual({ ...base, ...expected });
      expect(LookSchema.safeParse(look).success, text).toBe(true);
    }
  });

  it('documents every word it reads in docs/conversation.md', () => {
    const docs = readFileSync(path.resolve(import.meta.dirname, '../../docs/conversation.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## Character cards'));
    const words = [CARD_COLOURS, CARD_HAIR_COLOURS, CARD_EYE_COLOURS, CARD_SKIN_TONES, CARD_GARMENTS, CARD_HAIR_STYLES, CARD_HAIR_WORDS].flatMap((table) => Object.keys(table));
    expect(words.filter((word) => !new RegExp(`\\b${word.replace(' ', ' ')}\\b`, 'i').test(section))).toEqual([]);
    for (const [word, rgb] of Object.entries(CARD_COLOURS)) expect(section, word).toMatch(new RegExp(`\\b${word}( ${rgb.join(', ')}|/)`));
    for (const [word, rgb] of Object.entries(CARD_HAIR_COLOURS)) expect(section.slice(section.indexOf('- **hair**')), word).toMatch(new RegExp(`\\b${word}( ${rgb.join(', ')}|/)`));
    for (const [word, rgb] of Object.entries(CARD_EYE_COLOURS)) expect(section.slice(section.indexOf('- **eyes**')), word).toMatch(new RegExp(`\\b${word}( ${rgb.join(', ')}|/)`));
    for (const [word, rgb] of Object.entries(CARD_SKIN_TONES)) expect(section.slice(section.indexOf('- **skin**')), word).toMatch(new RegExp(`\\b${word}( ${rgb.join(', ')}|/)`));
  });

  it('writes the name into the greeting, and persona import-card prints it', async () => {
    const { definition } = importCard(luna);
    expect(definition.lines.greeting).toEqual(["Hi, I'm Luna! Nice to meet you, you."]);
    expect(importCard({ name: 'Old', first_mes: 'I am {name}, <BOT>; hello <USER>!' }).definition.lines.greeting).toEqual(['I am Old, Old; hello you!']);
    const root = mkdtempSync(path.join(os.tmpdir(), 'persona-card-cli-'));
    try {
      const file = path.join(root, 'luna.json');
      writeFileSync(file, JSON.stringify(luna));
      const repo = path.resolve(import.meta.dirname, '../..');
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [path.join(repo, 'bin/persona.js'), 'import-card', file], { cwd: repo, env: { ...process.env, PERSONA_DATA_DIR: path.join(root, 'data') }, timeout: 30_000 }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
        ),
      );
      const printed = JSON.parse(stdout) as { id: string; greeting: string };
      expect(printed).toMatchObject({ id: 'luna', greeting: "Hi, I'm Luna! Nice to meet you, you." });
      expect(stdout).not.toMatch(/\{name\}|\{\{char\}\}/);
      expect(loadImportedCharacter('luna', path.join(root, 'data'))).toMatchObject({ name: 'Luna', lines: { greeting: ["Hi, I'm Luna! Nice to meet you, you."] }, look: { hairStyle: 'ponytail' } });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 30_000);
});
