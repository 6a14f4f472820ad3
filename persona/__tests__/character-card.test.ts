/** Character Card V2 and V3 as JSON and inside PNG text chunks (tEXt, iTXt, compressed iTXt). */
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { ARIA } from '../../characters/aria.js';
import { EXTENSION_NAMESPACE, importCard, readCardBytes } from '../character-card.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer) => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
};
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
    expect(definition.lines.greeting).toEqual(['*{name} smiles* You are safe now, you.', 'Welcome back!']);
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
