/**
 * Messages on the app's WebSocket, msgpackr-framed. Every inbound message is size-checked and
 * schema-validated; a bad one gets an `error` message back and the session goes on.
 */
import { Packr } from 'msgpackr';
import { z } from 'zod';
import type { EngineEvent, PersonaState } from './events.js';
import type { Directive } from './directive.js';
import type { ProfileWindow } from './profile.js';

/**
 * Preview frames a client may have unacknowledged. Frames beyond it are skipped for that client, so
 * a slow viewer sees fewer frames instead of growing a queue that would delay chat replies.
 */
export const MAX_UNACKED_FRAMES = 2;

/** Largest client → server message accepted, in bytes. */
export const MAX_INBOUND_BYTES = 64 * 1024;

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chat'), text: z.string().min(1).max(2000) }).strict(),
  z.object({ type: z.literal('hello'), wantFrames: z.boolean().default(true) }).strict(),
  /** Sent after a preview frame is shown; the server keeps at most MAX_UNACKED_FRAMES in flight per client. */
  z.object({ type: z.literal('ack'), seq: z.number().int().min(0) }).strict(),
  /** Turns the profiler feed (ProfileMessage, 4 per second) on or off for this client. */
  z.object({ type: z.literal('profile'), enabled: z.boolean() }).strict(),
]);

export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export interface FrameMessage {
  type: 'frame';
  seq: number;
  width: number;
  height: number;
  /** Straight-alpha RGBA, width*height*4 bytes. */
  rgba: Uint8Array;
}

/** One tick's time per phase, ms, for the overlay's stacked bars. */
export interface TickBar {
  tick: number;
  phases: number[];
  lateMs: number;
}

/** The profiler feed for the overlay. */
export interface ProfileMessage {
  type: 'profile';
  budgetMs: number;
  phases: string[];
  /** The latest ticks, oldest first. */
  bars: TickBar[];
  window: ProfileWindow;
  /** Chat line received → first frame showing the action it asked for, for the last such line. */
  lastActionLatencyMs: number | null;
  /** Time to the LLM's first token, when an LLM answered the last line. */
  llmTtftMs: number | null;
  /** WebRTC viewers (WHEP) and their link quality. */
  viewers: { id: string; state: string; bitrateKbps: number; fps: number; rttMs: number | null; packetsLost: number }[];
  /** The frame source showing, a neural one's execution provider (tensorrt, cuda, cpu) and the time its last frame took (ms); older servers send none. */
  source?: { active: string; provider: string | null; frameMs: number | null; state: string };
}

/** Where a chat line came from: the page (a WebSocket client), a program over REST, an agent over MCP. */
export type ChatVia = 'page' | 'api' | 'mcp';

export type ServerMessage =
  /** `voice`: the voice that speaks her replies ("embedded"), or why there is none ("no voice: install espeak-ng …", "off"). */
  | { type: 'welcome'; character: string; name: string; fps: number; width: number; height: number; voice: { on: true; id: string } | { on: false; reason: string } }
  /**
   * One spoken clause: mono 16-bit little-endian PCM at `sampleRate`, to be heard `startsInMs` after
   * this message was sent (the mouth on the frames is timed to the same moment).
   */
  | { type: 'audio'; id: number; text: string; startsInMs: number; sampleRate: number; pcm: Uint8Array }
  /** The speech was cut (a new line): stop what plays and drop what is scheduled. */
  | { type: 'audio.stop' }
  /** The whole reply; `provider` says which interpreter answered (embedded, openai, llama). */
  | { type: 'reply'; text: string; inReplyTo: string; provider?: string }
  /** A piece of the reply as the interpreter writes it; the `reply` that follows carries the whole text. */
  | { type: 'reply.chunk'; text: string; inReplyTo: string }
  /** A directive sent to the engine for this line; `speculative` when started before the LLM answered. */
  | { type: 'directive'; directive: Directive; speculative: boolean; inReplyTo: string }
  /** Something the user should know about this turn: the LLM was unreachable, a name was mapped or dropped. */
  | { type: 'notice'; level: 'info' | 'warning'; text: string; inReplyTo: string }
  /**
   * A line someone else said to her in this session (another tab, a program over REST, an agent over
   * MCP); that turn's directives, reply pieces, notices and reply follow, as for one's own line.
   */
  | { type: 'chat.echo'; text: string; via: ChatVia }
  | { type: 'event'; event: EngineEvent }
  | { type: 'state'; state: PersonaState }
  | { type: 'error'; reason: string }
  | ProfileMessage
  | FrameMessage;

// Records keep repeated message shapes small; plain `unpack` on the other side reads them.
// Maps decode as objects too, so frames written by hand (frame-encoding.ts) read like packed ones.
const packr = new Packr({ useRecords: true, mapsAsObjects: true });

export const encodeMessage = (message: ServerMessage | ClientMessage): Uint8Array => packr.pack(message);

export const decodeMessage = (bytes: Uint8Array): unknown => packr.unpack(bytes);

/** Decodes and validates a client message; throws an Error whose message says what to fix. */
export const parseClientMessage = (bytes: Uint8Array): ClientMessage => {
  if (bytes.byteLength > MAX_INBOUND_BYTES) {
    throw new Error(`message too large: ${bytes.byteLength} bytes; the limit is ${MAX_INBOUND_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = decodeMessage(bytes);
  } catch {
    throw new Error('malformed message: not valid msgpack; send one msgpack-encoded object per binary frame');
  }
  const parsed = ClientMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid message: ${first?.path.join('.') || 'message'}: ${first?.message ?? 'does not match the schema'}`);
  }
  return parsed.data;
};
