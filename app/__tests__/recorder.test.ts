/** The recorder's file is bounded: past its size it ends itself with `truncated`, says so, and what it wrote still reads back and replays. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../engine/clock.js';
import { MAX_RECORDING_WRITE_BYTES, SessionRecorder } from '../recorder.js';
import { PersonaSession } from '../session.js';
import { loadRecording } from '../replay.js';

describe('session recorder', () => {
  it('stops at its size bound with a truncated end line; the file still reads back', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'persona-recorder-')), 'long.jsonl');
    const session = new PersonaSession({ clock: new SimulatedClock(), width: 64, height: 64, source: null });
    const recorder = new SessionRecorder(session, file, { source: 'puppet' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const line = 'wave '.repeat(12_000); // 60 KB a chat line
    for (let i = 0; recorder.recording && i < 1000; i++) {
      recorder.chat(line);
      session.step();
    }
    expect(recorder.recording).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/reached 32 MiB; recording stopped/));
    warn.mockRestore();
    const summary = await recorder.stop(); // stopping again gives the same summary
    expect(summary.truncated).toBe(true);
    session.stop();
    expect(statSync(file).size).toBeLessThanOrEqual(MAX_RECORDING_WRITE_BYTES);
    const last = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toEqual({ type: 'end', tick: summary.ticks, truncated: true });
    const { recording } = await loadRecording(file);
    expect(recording.complete).toBe(true);
    expect(recording.entries.length).toBe(summary.lines - 2);
  });

  it('refuses a file it cannot create, at once, with the reason', () => {
    const session = new PersonaSession({ clock: new SimulatedClock(), source: null });
    expect(() => new SessionRecorder(session, '/nonexistent-dir/x.jsonl', { source: 'puppet' })).toThrow(/^cannot record to \/nonexistent-dir\/x.jsonl: ENOENT: no such file or directory/);
    session.stop();
  });
});
