/** `persona say`: a real WAV (22,050 Hz mono 16-bit) and the mouth timeline that goes with it. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VISEMES, type MouthEvent, type WordMark } from '../../protocol/voice.js';
import { wavFile } from '../say-command.js';

const run = promisify(execFile);
const persona = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

/** The fields of a canonical 44-byte WAV header, and its samples. */
const readWav = (bytes: Buffer) => ({
  riff: bytes.toString('ascii', 0, 4),
  riffSize: bytes.readUInt32LE(4),
  wave: bytes.toString('ascii', 8, 12),
  fmt: bytes.toString('ascii', 12, 16),
  fmtSize: bytes.readUInt32LE(16),
  format: bytes.readUInt16LE(20),
  channels: bytes.readUInt16LE(22),
  sampleRate: bytes.readUInt32LE(24),
  byteRate: bytes.readUInt32LE(28),
  blockAlign: bytes.readUInt16LE(32),
  bits: bytes.readUInt16LE(34),
  data: bytes.toString('ascii', 36, 40),
  dataSize: bytes.readUInt32LE(40),
  samples: new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length)),
});

describe('persona say', () => {
  it('writes a WAV whose header and length are right, and the mouth timeline on its clock', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-say-'));
    const wav = path.join(dir, 'speech.wav');
    const json = path.join(dir, 'mouth.json');
    const { code, stdout, stderr } = await persona(['say', 'Hello, I am Kai. Maybe five big waves?', '--out', wav, '--timeline', json, '--character', 'kai']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote .*speech\.wav: \d+\.\d\d s of Kai's voice \(en-us\+m3\)/);
    const bytes = readFileSync(wav);
    const w = readWav(bytes);
    expect(w).toMatchObject({ riff: 'RIFF', wave: 'WAVE', fmt: 'fmt ', fmtSize: 16, format: 1, channels: 1, sampleRate: 22050, byteRate: 44100, blockAlign: 2, bits: 16, data: 'data' });
    expect(w.riffSize).toBe(bytes.length - 8);
    expect(w.dataSize).toBe(bytes.length - 44);
    const seconds = w.samples.length / 22050;
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(6);
    const rms = Math.sqrt(w.samples.reduce((s, v) => s + v * v, 0) / w.samples.length);
    expect(rms).toBeGreaterThan(500);

    const timeline = JSON.parse(readFileSync(json, 'utf8')) as { durationMs: number; sampleRate: number; mouth: MouthEvent[]; words: WordMark[]; voice: { name: string } };
    expect(timeline.sampleRate).toBe(22050);
    expect(timeline.durationMs).toBe(Math.round(seconds * 1000));
    expect(timeline.voice.name).toBe('en-us+m3');
    expect(timeline.words.map((word) => word.text)).toEqual(expect.arrayContaining(['Hello', 'Kai', 'Maybe', 'five', 'big', 'waves']));
    for (const e of timeline.mouth) {
      expect(VISEMES).toContain(e.viseme);
      expect(e.atMs).toBeGreaterThanOrEqual(-60); // the first shape may form before the first sample
      expect(e.atMs).toBeLessThanOrEqual(timeline.durationMs);
    }
    const shapes = new Set(timeline.mouth.map((e) => e.viseme));
    for (const v of ['mbp', 'fv', 'aa', 'rest'] as const) expect(shapes).toContain(v); // Maybe, five, waves; the end
    expect(timeline.mouth.at(-1)!.viseme).toBe('rest');
  }, 30_000);

  it('speaks with the voice an imported card sets (import-card, then say --character)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-say-card-'));
    const env = { PERSONA_DATA_DIR: path.join(dir, 'data') };
    const line = 'Well met, traveller. Sit by the fire and rest a while.';
    const spoken: Record<string, { seconds: number; stdout: string; voice: { name: string; rate: number } }> = {};
    for (const [id, voice] of [
      ['slow-bard', { name: 'en-gb+m3', rate: 120, pitch: 30 }],
      ['fast-bard', { name: 'en-gb+m3', rate: 300, pitch: 30 }],
    ] as const) {
      const file = path.join(dir, `${id}.json`);
      writeFileSync(file, JSON.stringify({ spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'Rowan', extensions: { 'persona-engine': { id, voice } } } }));
      const imported = await persona(['import-card', file], env);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      const wav = path.join(dir, `${id}.wav`);
      const json = path.join(dir, `${id}.json.timeline`);
      const said = await persona(['say', line, '--character', id, '--out', wav, '--timeline', json], env);
      expect(said.stderr).toBe('');
      const samples = readWav(readFileSync(wav)).samples;
      spoken[id] = { seconds: samples.length / 22050, stdout: said.stdout, voice: JSON.parse(readFileSync(json, 'utf8')).voice };
    }
    expect(spoken['slow-bard']!.stdout).toMatch(/s of Rowan's voice \(en-gb\+m3\)/);
    expect(spoken['slow-bard']!.voice).toEqual({ language: 'en-US', name: 'en-gb+m3', rate: 120, pitch: 30 });
    expect(spoken['fast-bard']!.voice.rate).toBe(300);
    // The card's rate is what is heard: the same line at 300 words a minute takes well under half as long as at 120.
    expect(spoken['fast-bard']!.seconds).toBeLessThan(0.6 * spoken['slow-bard']!.seconds);
    // A voice espeak-ng does not have is refused at once, by name.
    const file = path.join(dir, 'nobody.json');
    writeFileSync(file, JSON.stringify({ spec: 'chara_card_v2', data: { name: 'Nobody', extensions: { 'persona-engine': { id: 'nobody', voice: { name: 'xx-nonexistent' } } } } }));
    expect((await persona(['import-card', file], env)).code).toBe(0);
    const missing = await persona(['say', 'Hello', '--character', 'nobody', '--out', path.join(dir, 'n.wav')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/espeak-ng has no voice "xx-nonexistent"/);
  }, 60_000);

  it('says plainly that there is no voice where libespeak-ng is missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-say-'));
    const { code, stderr } = await persona(['say', 'Hello', '--out', path.join(dir, 'x.wav')], { PERSONA_ESPEAK_LIB: '/nonexistent/libespeak-ng.so.1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^persona say: no voice: install espeak-ng \(libespeak-ng1\)/);
  }, 30_000);

  it('asks for a line when given none, and lists its flags with --help', async () => {
    expect((await persona(['say'])).stderr).toMatch(/give a line to say/);
    const help = await persona(['say', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--timeline FILE/);
  }, 30_000);

  it('wavFile writes little-endian samples after the header', () => {
    const bytes = wavFile(Int16Array.from([0, 1, -1, 32767, -32768]), 22050);
    expect(bytes.length).toBe(44 + 10);
    expect([...readWav(bytes).samples]).toEqual([0, 1, -1, 32767, -32768]);
  });
});
