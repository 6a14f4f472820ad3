/** The tolerant streaming JSON reader fed one character at a time, as the slowest stream would. */
import { describe, expect, it } from 'vitest';
import { StreamingJsonObjectReader, type JsonFieldUpdate } from '../streaming-json.js';

const feed = (text: string, step = 1) => {
  const reader = new StreamingJsonObjectReader(['dialogue']);
  const updates: { at: number; update: JsonFieldUpdate }[] = [];
  for (let i = 0; i < text.length; i += step) for (const update of reader.push(text.slice(i, i + step))) updates.push({ at: i + step, update });
  return { reader, updates };
};

describe('streaming JSON reader', () => {
  it('reports each field once, when complete, and the dialogue as it grows', () => {
    const text = '```json\n{"action": {"name": "wave", "repeat": 12}, "expression": null, "gaze": "left", "dialogue": "Hi \\"you\\" \\u00e9!", "x": [1, true, -2.5e3]} trailing';
    const { reader, updates } = feed(text);
    const fields = updates.filter((u) => u.update.type === 'field').map((u) => u.update);
    expect(fields).toEqual([
      { type: 'field', key: 'action', value: { name: 'wave', repeat: 12 } },
      { type: 'field', key: 'expression', value: null },
      { type: 'field', key: 'gaze', value: 'left' },
      { type: 'field', key: 'dialogue', value: 'Hi "you" é!' },
      { type: 'field', key: 'x', value: [1, true, -2500] },
    ]);
    // The action is known as soon as its closing brace arrives, long before the end.
    expect(updates[0]!.at).toBe(text.indexOf('}') + 1);
    const dialogue = updates.filter((u) => u.update.type === 'text').map((u) => (u.update as { delta: string }).delta);
    expect(dialogue.join('')).toBe('Hi "you" é!');
    expect(dialogue.length).toBeGreaterThan(5);
    expect(reader.complete).toBe(true);
  });

  it('waits for a number or literal that may still grow', () => {
    const { updates } = feed('{"n": 10, "b": false}', 1);
    expect(updates.map((u) => u.update)).toEqual([
      { type: 'field', key: 'n', value: 10 },
      { type: 'field', key: 'b', value: false },
    ]);
  });

  it('throws a SyntaxError saying where the JSON broke', () => {
    expect(() => feed('{"action": wave}')).toThrow(/invalid JSON at character 11: unexpected "w"/);
    expect(() => feed('{"a" 1}')).toThrow(/expected ":" after key "a"/);
  });

  it('sees prose as prose', () => {
    const { reader, updates } = feed('Sure, I can wave.');
    expect(updates).toEqual([]);
    expect(reader.sawNoObject).toBe(true);
  });
});
