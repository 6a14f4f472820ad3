/**
 * Records a session's input timeline as JSONL (protocol/recording.ts): the header, then each chat
 * line, directive, reply and spoken line with the engine tick that takes it, then an `end` line.
 * Lines are written through a file stream (the JS thread never waits on the disk); the file is
 * bounded: past MAX_BYTES the recording ends itself with `truncated` and says so in the log.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { RECORDING_VERSION, type RecordingEntry, type RecordingHeader } from '../protocol/recording.js';
import type { PersonaSession, SessionInput } from './session.js';

/** A recording stops by itself past this size (the reader takes up to 64 MiB). */
export const MAX_RECORDING_WRITE_BYTES = 32 * 1024 * 1024;
/** Mouth events kept per spoken line (the reader's bound). */
const MAX_MOUTH_EVENTS = 8192;

export interface RecordingSummary {
  file: string;
  /** Lines written, header and end included. */
  lines: number;
  /** Ticks the recording covers. */
  ticks: number;
  truncated: boolean;
}

export class SessionRecorder {
  readonly startedAt = new Date();
  private readonly out: WriteStream;
  private readonly startTick: number;
  private readonly offInput: () => void;
  private bytes = 0;
  private lines = 0;
  private truncated = false;
  private stopped: Promise<RecordingSummary> | null = null;

  /** Opens `file` (created or replaced) at once, so a bad path fails here with the reason. */
  constructor(
    private readonly session: PersonaSession,
    readonly file: string,
    info: { source: RecordingHeader['source']; session?: string },
  ) {
    let fd: number;
    try {
      fd = openSync(file, 'w');
    } catch (error) {
      throw new Error(`cannot record to ${file}: ${(error as Error).message}`);
    }
    this.out = createWriteStream('', { fd });
    this.out.on('error', (error) => {
      console.error(`recording ${file}: ${error.message}; recording stopped`);
      this.offInput();
    });
    this.startTick = session.world.time.tick;
    const header: RecordingHeader = {
      type: 'header',
      version: RECORDING_VERSION,
      character: session.character.id,
      fps: session.fps as 30 | 60,
      width: session.width,
      height: session.height,
      seed: session.seed,
      source: info.source,
      startMs: session.world.time.now,
      recordedAt: this.startedAt.toISOString(),
      ...(info.session ? { session: info.session } : {}),
    };
    this.write(header);
    this.offInput = session.onInput((input) => this.input(input));
  }

  /** The tick that takes what arrives now (relative to the recording's start). */
  private get nextTick(): number {
    return this.session.world.time.tick + 1 - this.startTick;
  }

  /** A chat line as it arrives (before its directives). */
  chat(text: string): void {
    this.write({ type: 'chat', tick: this.nextTick, text });
  }

  /** The reply given to a line. */
  reply(text: string, provider: string): void {
    this.write({ type: 'reply', tick: this.nextTick, text, provider });
  }

  private input(input: SessionInput): void {
    const tick = this.nextTick;
    if (input.type === 'directive') this.write({ type: 'directive', tick, directive: input.directive });
    else if (input.type === 'hush') this.write({ type: 'hush', tick });
    else {
      const { mouth, startsAt, durationMs } = input.voice;
      this.write({ type: 'say', tick, text: input.text, startsInMs: startsAt - this.session.now, durationMs, mouth: mouth.slice(0, MAX_MOUTH_EVENTS).map(({ atMs, viseme, weight }) => ({ atMs, viseme, weight })) });
    }
  }

  private write(entry: RecordingHeader | RecordingEntry): void {
    if (this.stopped) return;
    const line = `${JSON.stringify(entry)}\n`;
    this.bytes += Buffer.byteLength(line);
    if (this.bytes > MAX_RECORDING_WRITE_BYTES && entry.type !== 'end') {
      this.truncated = true;
      console.warn(`recording ${this.file}: reached ${MAX_RECORDING_WRITE_BYTES / 1048576} MiB; recording stopped`);
      void this.stop();
      return;
    }
    this.lines++;
    this.out.write(line);
  }

  /** Writes the `end` line and closes the file; resolves once it is on disk. Calling it again returns the same summary. */
  stop(): Promise<RecordingSummary> {
    if (this.stopped) return this.stopped;
    const ticks = this.session.world.time.tick - this.startTick;
    this.lines++;
    this.out.write(`${JSON.stringify({ type: 'end', tick: ticks, ...(this.truncated ? { truncated: true } : {}) } satisfies RecordingEntry)}\n`);
    this.offInput();
    const summary: RecordingSummary = { file: this.file, lines: this.lines, ticks, truncated: this.truncated };
    this.stopped = new Promise((resolve) => this.out.end(() => resolve(summary)));
    return this.stopped;
  }

  get recording(): boolean {
    return this.stopped === null;
  }
}
