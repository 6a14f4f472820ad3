/** A recording read back: a good file parses; each kind of bad line is refused with its line number and what is wrong. */
import { describe, expect, it } from 'vitest';
import { MAX_RECORDING_LINE_BYTES, parseRecording } from '../recording.js';

const vocabulary = { actions: ['wave', 'sit_down', 'nod'], expressions: ['neutral', 'happy', 'sad'] };
const header = { type: 'header', version: 1, character: 'aria', fps: 30, width: 512, height: 512, seed: 1, source: 'puppet', startMs: 1234.5 };
const lines = (...entries: unknown[]) => [header, ...entries].map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n');
const wave = { type: 'directive', tick: 6, directive: { id: 'd1', source: 'user', action: { name: 'wave' } } };

describe('recording files', () => {
  it('reads a whole recording: header, inputs in tick order, the end', () => {
    const recording = parseRecording(
      lines(
        { type: 'chat', tick: 6, text: 'wave' },
        wave,
        { type: 'reply', tick: 6, text: 'Hello!', provider: 'embedded' },
        { type: 'say', tick: 9, text: 'Hello!', startsInMs: 40, durationMs: 600, mouth: [{ atMs: 0, viseme: 'aa', weight: 0.8 }, { atMs: 300, viseme: 'rest', weight: 0 }] },
        { type: 'hush', tick: 20 },
        '',
        { type: 'end', tick: 90 },
        '',
      ),
      vocabulary,
    );
    expect(recording.header).toMatchObject({ character: 'aria', fps: 30, startMs: 1234.5 });
    expect(recording.entries.map((e) => e.type)).toEqual(['chat', 'directive', 'reply', 'say', 'hush']);
    expect(recording).toMatchObject({ lastTick: 90, complete: true });
  });

  it('takes a file cut short (no end line) and says so', () => {
    const recording = parseRecording(lines(wave), vocabulary);
    expect(recording).toMatchObject({ lastTick: 6, complete: false });
  });

  it.each([
    ['a line that is not JSON', lines(wave, '{"type":"hush",'), /^line 3: not JSON/],
    ['an unknown line type', lines({ type: 'dance', tick: 7 }), /^line 2: type: Invalid discriminator value. Expected 'chat' \| 'directive' \| 'reply' \| 'say' \| 'hush' \| 'end'/],
    ['an action the character does not know', lines({ ...wave, directive: { id: 'd', source: 'user', action: { name: 'moonwalk' } } }), /^line 2: directive\.action\.name: unknown action "moonwalk"/],
    ['a tick that goes back', lines({ type: 'hush', tick: 9 }, wave), /^line 3: tick 6 comes before the previous line's tick 9/],
    ['a tick of 0 (tick 1 is the first to take input)', lines({ type: 'hush', tick: 0 }), /^line 2: tick: /],
    ['an unknown field', lines({ type: 'hush', tick: 3, extra: 1 }), /^line 2: .*extra/],
    ['a mouth shape that does not exist', lines({ type: 'say', tick: 3, text: 'x', startsInMs: 0, durationMs: 10, mouth: [{ atMs: 0, viseme: 'zz', weight: 1 }] }), /^line 2: mouth\.0\.viseme: /],
    ['a line after the end', lines({ type: 'end', tick: 10 }, wave), /^line 3: nothing may follow the "end" line/],
    ['a line over the length bound', lines({ type: 'chat', tick: 2, text: 'x'.repeat(MAX_RECORDING_LINE_BYTES) }), /^line 2: longer than 256 KiB/],
  ])('refuses %s, naming the line', (_what, text, message) => {
    expect(() => parseRecording(text, vocabulary)).toThrow(message);
  });

  it.each([
    ['an empty file', '', /^line 1: empty; a recording starts with its header line/],
    ['a header of another version', JSON.stringify({ ...header, version: 2 }), /^line 1 \(the header\): version: this reader knows version 1/],
    ['a header without a character', JSON.stringify({ ...header, character: undefined }), /^line 1 \(the header\): character: /],
    ['an unsupported tick rate', JSON.stringify({ ...header, fps: 25 }), /^line 1 \(the header\): fps: /],
    ['an entry where the header should be', JSON.stringify(wave), /^line 1 \(the header\): /],
  ])('refuses %s as its header', (_what, text, message) => {
    expect(() => parseRecording(text, vocabulary)).toThrow(message);
  });
});
