/**
 * `persona replay`: without ffmpeg on PATH, a PNG sequence (alpha kept, the same bytes every run) and one
 * line saying so; with ffmpeg, a VP9 .webm of the right size, frame count and background; plain progress
 * lines on a pipe; bad files and flags refused with what to fix.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../session.js';
import { SessionRecorder } from '../recorder.js';
import { findOnPath } from '../clip-writer.js';

const run = promisify(execFile);
const persona = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, ...env }, maxBuffer: 16 << 20 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

const dir = mkdtempSync(path.join(os.tmpdir(), 'persona-replay-'));
/** A PATH with no ffmpeg on it (the command is started by absolute path). */
const noFfmpeg = { PATH: mkdtempSync(path.join(os.tmpdir(), 'persona-empty-path-')) };
const ffmpeg = findOnPath('ffmpeg');
const TICKS = 60;
let recording: string;

beforeAll(async () => {
  // A short recording made the way the server makes one: a session, its recorder, inputs between ticks.
  recording = path.join(dir, 'wave.jsonl');
  const session = new PersonaSession({ clock: new SimulatedClock(), width: 128, height: 128, source: null });
  const recorder = new SessionRecorder(session, recording, { source: 'puppet' });
  for (let tick = 0; tick < TICKS; tick++) {
    if (tick === 10) {
      recorder.chat('wave');
      session.chat('wave');
    }
    session.step();
  }
  await recorder.stop();
  session.stop();
});

const pngsIn = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.png')).sort();

describe('persona replay', () => {
  it('without ffmpeg writes a PNG sequence and says so in one line; the same bytes on every run', async () => {
    const runOnce = async (name: string) => {
      const result = await persona(['replay', recording, '--out', path.join(dir, `${name}.webm`)], noFfmpeg);
      expect(result.code, result.stderr).toBe(0);
      return { ...result, folder: path.join(dir, `${name}-frames`) };
    };
    const first = await runOnce('first');
    expect(first.stderr.split('\n').filter((l) => /ffmpeg/.test(l))).toEqual([`persona replay: no ffmpeg on PATH (Debian: apt-get install ffmpeg): writing PNG frames to ${first.folder}/ instead of ${path.join(dir, 'first.webm')}`]);
    expect(first.stdout).toMatch(new RegExp(`^wrote PNG frames to .*first-frames/: ${TICKS} frames, 2\\.0 s at 30 fps, 128×128, aria; rendered [\\d.]+× faster than real time`));
    // Not a terminal: plain progress lines, no carriage returns, ending at 100 %.
    const progress = first.stderr.split('\n').filter((l) => l.startsWith('replay: '));
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.length).toBeLessThanOrEqual(11);
    expect(progress.at(-1)).toMatch(new RegExp(`^replay: ${TICKS}/${TICKS} frames \\(100%\\)`));
    expect(first.stderr).not.toContain('\r');

    const files = pngsIn(first.folder);
    expect(files).toHaveLength(TICKS);
    expect(files[0]).toBe('frame-000001.png');
    const frame = PNG.sync.read(readFileSync(path.join(first.folder, files[20]!))); // mid-wave
    expect([frame.width, frame.height]).toEqual([128, 128]);
    expect(frame.data[3]).toBe(0); // the corner is transparent: alpha is kept
    const opaque = frame.data.filter((_, i) => i % 4 === 3 && frame.data[i]! === 255).length;
    expect(opaque).toBeGreaterThan(1000); // and she is there

    const second = await runOnce('second');
    const digest = (folder: string) => pngsIn(folder).map((f) => createHash('sha1').update(readFileSync(path.join(folder, f))).digest('hex'));
    expect(digest(second.folder)).toEqual(digest(first.folder));
    expect(new Set(digest(first.folder)).size).toBeGreaterThan(20); // the frames move
  });

  it('--encoder ffmpeg without ffmpeg is an error that says how to get it', async () => {
    const result = await persona(['replay', recording, '--out', path.join(dir, 'x.webm'), '--encoder', 'ffmpeg'], noFfmpeg);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('persona replay: --encoder ffmpeg: no ffmpeg on PATH (Debian: apt-get install ffmpeg)');
  });

  it.skipIf(!ffmpeg)('with ffmpeg writes a VP9 .webm: size, 60 fps frame count and the background colour', async () => {
    const out = path.join(dir, 'clip.webm');
    const result = await persona(['replay', recording, '--out', out, '--size', '160', '--fps', '60', '--character', 'kai']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*clip\.webm \(libvpx-vp9, ffmpeg\): 120 frames, 2\.0 s at 60 fps, 160×160, kai/);
    const probe = await run(ffmpeg!.replace(/ffmpeg$/, 'ffprobe'), ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames,r_frame_rate', '-of', 'json', out]);
    const stream = (JSON.parse(probe.stdout) as { streams: Record<string, unknown>[] }).streams[0];
    expect(stream).toMatchObject({ codec_name: 'vp9', width: 160, height: 160, r_frame_rate: '60/1', nb_read_frames: '120' });
    // The first frame's corner is the default background, #262a35 (within the codec's rounding).
    const raw = await run(ffmpeg!, ['-v', 'error', '-i', out, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 1 << 20 });
    const corner = [...(raw.stdout as unknown as Buffer).subarray(0, 3)];
    [38, 42, 53].forEach((c, i) => expect(Math.abs(corner[i]! - c)).toBeLessThanOrEqual(6));
  });

  it('refuses a bad recording with its line number, and bad flags one line each (exit 2)', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    const [header] = readFileSync(recording, 'utf8').split('\n');
    writeFileSync(bad, `${header}\n{"type":"directive","tick":3,"directive":{"id":"x","source":"user","action":{"name":"moonwalk"}}}\n`);
    const badFile = await persona(['replay', bad, '--out', path.join(dir, 'bad.webm')], noFfmpeg);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toMatch(/^persona replay: line 2: directive\.action\.name: unknown action "moonwalk"/);
    const missing = await persona(['replay', path.join(dir, 'nope.jsonl')], noFfmpeg);
    expect(missing.stderr.trim()).toBe(`persona replay: no recording at ${path.join(dir, 'nope.jsonl')}`);
    const flags = await persona(['replay', recording, '--size', '101', '--fps', '25', '--background', 'red', '--encoder', 'gif'], noFfmpeg);
    expect(flags.code).toBe(2);
    expect(flags.stderr.split('\n').filter((l) => l.startsWith('  --'))).toHaveLength(4);
    const unknownCharacter = await persona(['replay', recording, '--character', 'nobody'], noFfmpeg);
    expect(unknownCharacter.stderr).toMatch(/^persona replay: unknown character "nobody"; available: aria/);
  });
});
