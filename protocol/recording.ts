/**
 * A session's input timeline as JSONL (record and replay): a header line, then one line per input
 * with the engine tick that takes it — chat lines, the directives the interpreter (or a program)
 * sent, the replies, and the lines the voice spoke with their mouth timelines — and an `end` line.
 * The engine acts only on directives and speech, so a replay needs no LLM and no voice.
 * Everything read back is bounded and checked here; a bad line is reported with its number.
 */
import { z } from 'zod';
import { directiveSchemaFor, type VocabularyNames } from './directive.js';
import { VISEMES } from './voice.js';

export const RECORDING_VERSION = 1;
/** A recording file is read whole: at most this many bytes. */
export const MAX_RECORDING_BYTES = 64 * 1024 * 1024;
/** At most this many lines (one hour of a busy session is a few thousand). */
export const MAX_RECORDING_LINES = 200_000;
/** One line at most this long (a spoken line's mouth timeline is the longest). */
export const MAX_RECORDING_LINE_BYTES = 256 * 1024;
/** Mouth events in one spoken line. */
const MAX_MOUTH_EVENTS = 8192;
/** 24 hours of ticks at 60 Hz: a tick beyond this is a broken file, not a long session. */
const MAX_TICK = 24 * 3600 * 60;

export const RecordingHeaderSchema = z
  .object({
    type: z.literal('header'),
    version: z.literal(RECORDING_VERSION, `this reader knows version ${RECORDING_VERSION}`),
    /** The character the session ran (a built-in id or an imported card's id). */
    character: z.string().min(1).max(64),
    fps: z.union([z.literal(30), z.literal(60)]),
    width: z.number().int().min(64).max(2048),
    height: z.number().int().min(64).max(2048),
    /** The persona's idle-life seed (blinks, glances, fidgets). */
    seed: z.number().int().min(0).max(2 ** 31),
    /** The frame source the session started with (a replay renders with it where this build has it, else with the puppet). */
    source: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a frame source id such as "puppet"'),
    /** Engine time of tick 0, ms: the replay's clock starts here, so time-driven motion matches. */
    startMs: z.number().min(0).max(1e12),
    /** When the recording began (ISO 8601), for people. */
    recordedAt: z.string().max(40).optional(),
    /** The served session's name, for people. */
    session: z.string().max(64).optional(),
  })
  .strict();
export type RecordingHeader = z.infer<typeof RecordingHeaderSchema>;

const tick = z.number().int().min(1).max(MAX_TICK);

/** A shape may start before the line's first sample: the onset lead, and the rest of the line before it that the Speaker carries over (app/speaker.ts). */
const MouthEventSchema = z.object({ atMs: z.number().min(-3_600_000).max(3_600_000), viseme: z.enum(VISEMES), weight: z.number().min(0).max(1) }).strict();

/** Entries whose directive names are checked against `vocabulary` (the character the replay renders). */
export const recordingEntrySchemaFor = (vocabulary: VocabularyNames) =>
  z.discriminatedUnion('type', [
    /** A chat line as the conversation took it (for people: its directives follow as their own lines). */
    z.object({ type: z.literal('chat'), tick, text: z.string().max(64 * 1024) }).strict(),
    /** A directive queued for the engine: the interpreter's (or LLM's, or a program's) output. */
    z.object({ type: z.literal('directive'), tick, directive: directiveSchemaFor(vocabulary) }).strict(),
    /** The reply she gave (for people and subtitles; the engine does not act on it). */
    z.object({ type: z.literal('reply'), tick, text: z.string().max(64 * 1024), provider: z.string().max(32) }).strict(),
    /** A line the voice spoke: the mouth plays `mouth` from `startsInMs` after the tick that takes it. */
    z
      .object({
        type: z.literal('say'),
        tick,
        text: z.string().max(64 * 1024),
        startsInMs: z.number().min(-60_000).max(60_000),
        durationMs: z.number().min(0).max(3_600_000),
        mouth: z.array(MouthEventSchema).max(MAX_MOUTH_EVENTS),
      })
      .strict(),
    /** The voice was cut: the mouth stops. */
    z.object({ type: z.literal('hush'), tick }).strict(),
    /** The recording stopped after this tick; `truncated` when it hit its size bound. */
    z.object({ type: z.literal('end'), tick: z.number().int().min(0).max(MAX_TICK), truncated: z.boolean().optional() }).strict(),
  ]);
export type RecordingEntry = z.infer<ReturnType<typeof recordingEntrySchemaFor>>;

export interface Recording {
  header: RecordingHeader;
  /** In file order; ticks never go back. */
  entries: RecordingEntry[];
  /** The last tick the recording covers: its `end` line, or the last entry's tick when the file stops short (a crash). */
  lastTick: number;
  /** The file had an `end` line. */
  complete: boolean;
}

export class RecordingError extends Error {}

/** "directive.action.name: unknown action …" for the first issue of a failed parse. */
const describe = (error: z.ZodError): string => {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  return `${where ? `${where}: ` : ''}${issue.message}`;
};

const parseLine = (text: string, number: number): unknown => {
  if (Buffer.byteLength(text) > MAX_RECORDING_LINE_BYTES) throw new RecordingError(`line ${number}: longer than ${MAX_RECORDING_LINE_BYTES / 1024} KiB`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RecordingError(`line ${number}: not JSON (${(error as Error).message})`);
  }
};

/** The header alone (line 1): which character and size a recording wants, before its lines are checked against that character. */
export const readRecordingHeader = (text: string): RecordingHeader => {
  const first = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')).trim();
  if (!first) throw new RecordingError('line 1: empty; a recording starts with its header line ({"type":"header","version":1,…})');
  const parsed = RecordingHeaderSchema.safeParse(parseLine(first, 1));
  if (!parsed.success) throw new RecordingError(`line 1 (the header): ${describe(parsed.error)}`);
  return parsed.data;
};

/**
 * Parses and checks a whole recording; directive names are checked against `vocabulary`. Throws a
 * RecordingError naming the first bad line. Blank lines are skipped.
 */
export const parseRecording = (text: string, vocabulary: VocabularyNames): Recording => {
  if (Buffer.byteLength(text) > MAX_RECORDING_BYTES) throw new RecordingError(`the recording is larger than ${MAX_RECORDING_BYTES / 1048576} MiB`);
  const header = readRecordingHeader(text);
  const lines = text.split('\n');
  if (lines.length > MAX_RECORDING_LINES + 1) throw new RecordingError(`the recording has more than ${MAX_RECORDING_LINES} lines`);
  const schema = recordingEntrySchemaFor(vocabulary);
  const entries: RecordingEntry[] = [];
  let lastTick = 0;
  let complete = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const number = i + 1;
    if (complete) throw new RecordingError(`line ${number}: nothing may follow the "end" line`);
    const parsed = schema.safeParse(parseLine(line, number));
    if (!parsed.success) throw new RecordingError(`line ${number}: ${describe(parsed.error)}`);
    const entry = parsed.data;
    if (entry.tick < lastTick) throw new RecordingError(`line ${number}: tick ${entry.tick} comes before the previous line's tick ${lastTick}; lines must be in tick order`);
    lastTick = entry.tick;
    if (entry.type === 'end') complete = true;
    else entries.push(entry);
  }
  return { header, entries, lastTick, complete };
};
