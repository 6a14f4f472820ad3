/**
 * Replays a recorded input timeline (protocol/recording.ts) on the simulated clock: a fresh persona,
 * each input queued before the tick that took it live, every tick rendered and handed on in order,
 * as fast as the frame source fills. The same recording gives the same frames every time.
 * Another character, size or tick rate may be asked for; inputs keep their engine time.
 */
import { readFile, stat } from 'node:fs/promises';
import { SimulatedClock } from '../engine/clock.js';
import { actionNames, expressionNames } from '../characters/vocabulary.js';
import type { CharacterDefinition } from '../characters/types.js';
import { MAX_RECORDING_BYTES, RecordingError, parseRecording, readRecordingHeader, type Recording } from '../protocol/recording.js';
import { FRAME_SOURCES, type FrameSourceName } from '../native/index.js';
import { PersonaSession } from './session.js';
import { resolveCharacter } from './resolve-character.js';

/** A recording without its `end` line (the process died) is rendered this far past its last input. */
const TAIL_MS = 2000;

/** Reads and checks a recording; its directives are checked against `character` (default: the one it was made with). */
export const loadRecording = async (file: string, options: { character?: string; dataDir?: string } = {}): Promise<{ recording: Recording; character: CharacterDefinition }> => {
  const size = await stat(file).then(
    (s) => s.size,
    (error: NodeJS.ErrnoException) => {
      throw new RecordingError(error.code === 'ENOENT' ? `no recording at ${file}` : `cannot read ${file}: ${error.message}`);
    },
  );
  if (size > MAX_RECORDING_BYTES) throw new RecordingError(`${file} is larger than ${MAX_RECORDING_BYTES / 1048576} MiB: not a recording this reader takes`);
  const text = await readFile(file, 'utf8');
  const header = readRecordingHeader(text);
  const character = resolveCharacter(options.character ?? header.character, options.dataDir);
  const vocabulary = { actions: actionNames(character.vocabulary), expressions: expressionNames(character.vocabulary) };
  return { recording: parseRecording(text, vocabulary), character };
};

export interface ReplayOptions {
  /** Render as this character (default: the recording's). */
  character: CharacterDefinition;
  /** Tick rate of the replay (default: the recording's); inputs keep their engine time. */
  fps?: 30 | 60;
  width?: number;
  height?: number;
  /** Each frame, in order: `rgba` is valid until the returned promise settles (an encoder's back-pressure). */
  onFrame: (rgba: Uint8Array, index: number) => void | Promise<void>;
  /** Told after each frame: frames done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface ReplayResult {
  frames: number;
  fps: number;
  width: number;
  height: number;
  /** Engine time rendered, ms. */
  engineMs: number;
  /** Wall time it took, ms. */
  wallMs: number;
  /** The frame source it rendered with: the recorded one, or the puppet where this build lacks that one. */
  source: FrameSourceName;
}

/** The tick of a replay at `fps` that takes an input recorded at `tick` (same engine time, rounded to the nearest tick). */
const retick = (tick: number, recordedFps: number, fps: number) => Math.max(1, Math.round((tick * fps) / recordedFps));

export const replayRecording = async (recording: Recording, options: ReplayOptions): Promise<ReplayResult> => {
  const started = performance.now();
  const { header, entries } = recording;
  const fps = options.fps ?? header.fps;
  const clock = new SimulatedClock();
  clock.advance(header.startMs); // engine time as it was live: time-driven motion (breathing, sway) matches
  const source = (FRAME_SOURCES as readonly string[]).includes(header.source) ? (header.source as FrameSourceName) : 'puppet';
  const session = new PersonaSession({
    character: options.character,
    clock,
    fps,
    width: options.width ?? header.width,
    height: options.height ?? header.height,
    source,
    seed: header.seed,
  });
  const lastTick = recording.complete ? recording.lastTick : recording.lastTick + Math.round(TAIL_MS / (1000 / header.fps));
  const total = retick(lastTick, header.fps, fps);
  const ring = [...session.world.resources.frameRings.values()][0]!;

  // A frame lands on the worker's thread; the listener holds its buffer until the consumer is done with it.
  let landed: { rgba: Uint8Array; release: () => void } | null = null;
  let wake: (() => void) | null = null;
  session.onFrame((frame) => {
    landed = { rgba: frame.rgba, release: frame.hold() };
    wake?.();
  });
  const land = () =>
    new Promise<void>((resolve) => {
      const poll = () => {
        // Resolved by the frame, or (a failed fill publishes nothing) once nothing is filling any more.
        if (landed || !ring.state.includes('filling')) return resolve();
        timer = setTimeout(poll, 5);
      };
      let timer: NodeJS.Timeout | undefined;
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      poll();
    });

  let next = 0;
  let frames = 0;
  try {
    for (let tick = 1; tick <= total; tick++) {
      for (; next < entries.length && retick(entries[next]!.tick, header.fps, fps) <= tick; next++) {
        const entry = entries[next]!;
        if (entry.type === 'directive') session.submit(entry.directive);
        else if (entry.type === 'say') session.say(entry.text, { mouth: entry.mouth, startsAt: session.now + entry.startsInMs, durationMs: entry.durationMs });
        else if (entry.type === 'hush') session.hush();
        // chat and reply lines are for people: the engine acted on their directives
      }
      session.step();
      await land();
      wake = null;
      const frame = landed as { rgba: Uint8Array; release: () => void } | null;
      landed = null;
      if (!frame) throw new Error(`tick ${tick}: the frame source gave no frame (${ring.lastError ?? 'no free buffer'})`);
      try {
        await options.onFrame(frame.rgba, frames);
      } finally {
        frame.release();
      }
      frames++;
      options.onProgress?.(frames, total);
    }
  } finally {
    session.stop();
  }
  return { frames, fps, width: session.width, height: session.height, engineMs: (total * 1000) / fps, wallMs: performance.now() - started, source };
};
