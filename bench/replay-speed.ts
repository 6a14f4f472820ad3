/**
 * `replay_speed_x`: engine seconds rendered per wall second when a recording is replayed at 512²
 * (`persona replay`'s engine and frame source, frames handed to a consumer that drops them: the
 * encoder is left out, it runs in its own process). Where ffmpeg is on PATH, the same with a VP9 .webm
 * written too (`replay_speed_x_webm`).
 * Run alone: `npx tsx bench/replay-speed.ts [seconds]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SimulatedClock } from '../engine/clock.js';
import { PersonaSession } from '../app/session.js';
import { SessionRecorder } from '../app/recorder.js';
import { loadRecording, replayRecording } from '../app/replay.js';
import { findOnPath, openClipWriter } from '../app/clip-writer.js';

/** A line every two seconds: actions, feelings, sequences, as a person would chat. */
const LINES = ['wave', 'look happy', 'sit down and look sad', 'stand up', 'nod twice', 'look surprised', 'dance', 'shrug'];

export interface ReplaySpeed {
  /** Engine seconds rendered per wall second, frames dropped. */
  replay_speed_x: number;
  /** The same, writing a VP9 .webm through ffmpeg; null without ffmpeg on PATH. */
  replay_speed_x_webm: number | null;
  engine_seconds: number;
  size: number;
}

export const measureReplaySpeed = async (engineSeconds: number, size = 512): Promise<ReplaySpeed> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'persona-bench-replay-'));
  try {
    const file = path.join(dir, 'session.jsonl');
    const session = new PersonaSession({ clock: new SimulatedClock(), width: size, height: size, source: null });
    const recorder = new SessionRecorder(session, file, { source: 'puppet' });
    const ticks = engineSeconds * session.fps;
    for (let tick = 0; tick < ticks; tick++) {
      if (tick % (2 * session.fps) === 5) {
        const line = LINES[Math.floor(tick / (2 * session.fps)) % LINES.length]!;
        recorder.chat(line);
        session.chat(line);
      }
      session.step();
    }
    await recorder.stop();
    session.stop();
    const { recording, character } = await loadRecording(file);
    await replayRecording({ ...recording, lastTick: 30 }, { character, onFrame: () => {} }); // warm the JIT and the fill's scratch
    const plain = await replayRecording(recording, { character, onFrame: () => {} });
    let webm: number | null = null;
    if (findOnPath('ffmpeg')) {
      const writer = await openClipWriter({ out: path.join(dir, 'clip.webm'), width: size, height: size, fps: 30, background: [38, 42, 53], encoder: 'ffmpeg' });
      const started = performance.now();
      const encoded = await replayRecording(recording, { character, onFrame: (rgba) => writer.write(rgba) });
      await writer.close();
      webm = Math.round((encoded.engineMs / (performance.now() - started)) * 10) / 10;
    }
    return { replay_speed_x: Math.round((plain.engineMs / plain.wallMs) * 10) / 10, replay_speed_x_webm: webm, engine_seconds: engineSeconds, size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = Number(process.argv[2] ?? 20);
  console.log(JSON.stringify(await measureReplaySpeed(seconds)));
}
