/**
 * A voice from an imported card (issue 14): `extensions["persona-engine"].voice` (language, name, rate,
 * pitch, each optional) is validated and bounded at import, falls back to the template's voice field by
 * field, is stored with the card and read back; a card without one keeps the template's voice, taking a
 * man's or woman's variant when its text says he or she.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARIA } from '../../characters/aria.js';
import { EXTENSION_NAMESPACE, cardVoice, importCard } from '../character-card.js';
import { loadImportedCharacter, saveImportedCharacter } from '../imported-characters.js';
import { VoiceSpecSchema } from '../../protocol/voice.js';

const card = (engine: unknown, data: Record<string, unknown> = {}) => ({
  spec: 'chara_card_v3',
  spec_version: '3.0',
  data: { name: 'Rowan', description: 'A travelling bard.', first_mes: 'Well met!', ...data, extensions: { [EXTENSION_NAMESPACE]: engine } },
});

describe('a voice from an imported card', () => {
  it('takes the card’s voice, field by field over the template’s, and stores it with the card', () => {
    const { definition, card: stored } = importCard(card({ voice: { name: 'en-gb+m3', rate: 190, pitch: 35 } }));
    expect(definition.voice).toEqual({ language: ARIA.voice!.language, name: 'en-gb+m3', rate: 190, pitch: 35 });
    expect((stored.data.extensions as Record<string, { voice: unknown }>)[EXTENSION_NAMESPACE]!.voice).toEqual(definition.voice);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-card-voice-'));
    try {
      saveImportedCharacter(importCard(card({ id: 'rowan', voice: { rate: 210 } })), dir);
      expect(loadImportedCharacter('rowan', dir)!.voice).toEqual({ ...ARIA.voice, rate: 210 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a language without a voice name speaks that language, keeping the template’s variant', () => {
    expect(importCard(card({ voice: { language: 'fr-FR' } })).definition.voice).toMatchObject({ language: 'fr-FR', name: 'fr-fr+f3' });
  });

  it('a card that names no voice keeps the template’s, a man’s voice when the text says he', () => {
    expect(importCard(card({})).definition.voice).toEqual(ARIA.voice);
    const he = importCard(card({}, { description: 'Rowan is a bard. He sings of his travels and he laughs at himself.' })).definition.voice!;
    expect(he).toEqual({ ...ARIA.voice, name: 'en-us+m3' });
    expect(cardVoice(undefined, 'She hums to herself; her lute is old.', { ...ARIA.voice!, name: 'en-us+m3' }).name).toBe('en-us+f3');
    expect(cardVoice({ name: 'de' }, 'He is loud.', ARIA.voice).name).toBe('de'); // a named voice is taken as it is
  });

  it('refuses a bad voice, naming the field and what to write', () => {
    const refuse = (voice: unknown) => () => importCard(card({ voice }));
    expect(refuse({ rate: 5000 })).toThrow(/extensions\["persona-engine"\]\.voice\.rate.*450/);
    expect(refuse({ pitch: -1 })).toThrow(/voice\.pitch/);
    expect(refuse({ rate: 'fast' })).toThrow(/voice\.rate: must be a number/);
    expect(refuse({ name: '../../etc/passwd' })).toThrow(/voice\.name: must be a voice name such as "en-us"/);
    expect(refuse({ name: 'x'.repeat(10_000) })).toThrow(/voice\.name/);
    expect(refuse({ language: 'English please' })).toThrow(/voice\.language: must be a BCP 47 language tag/);
    expect(refuse({ speed: 2 })).toThrow(/voice: has unknown keys \(speed\)/);
    expect(refuse('loud')).toThrow(/voice: must be \{ language, name, rate, pitch \}/);
    let message = '';
    try {
      refuse({ name: 'y'.repeat(1_000_000) })();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.length).toBeLessThan(400);
  });

  it('every voice it accepts is a valid voice spec', () => {
    for (const voice of [{}, { rate: 80 }, { pitch: 100, language: 'de' }, { name: 'en-us+f2', language: 'en-US', rate: 450, pitch: 0 }])
      expect(VoiceSpecSchema.safeParse(importCard(card({ voice })).definition.voice).success, JSON.stringify(voice)).toBe(true);
  });
});
