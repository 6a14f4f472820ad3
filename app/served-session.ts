/**
 * One named session as the server serves it: the persona session with its conversation, its
 * WebSocket clients (chat in; replies, events, state, preview frames and the profiler feed out),
 * and its WebRTC video with its own WHEP endpoint. The server holds one per configured session.
 */
import path from 'node:path';
import type { WebSocket } from 'ws';
import type { ServerConfig } from '../protocol/config.js';
import { MAX_UNACKED_FRAMES, encodeMessage, parseClientMessage, type ChatVia, type ServerMessage } from '../protocol/wire.js';
import { threadCpuMs } from '../native/index.js';
import { LoadQueue } from '../native/source-manager.js';
import { PersonaSession } from './session.js';
import { ProfilerFeed } from './profiler-feed.js';
import { FramePool } from './frame-pool.js';
import { VideoFeed } from './webrtc/video-feed.js';
import { AudioFeed } from './webrtc/audio-feed.js';
import { DisplayPacer } from './webrtc/display-pacer.js';
import { WhepEndpoint } from './webrtc/whep.js';
import { attachConversation, type SessionConversation } from './session-conversation.js';
import { relayChat } from './chat-relay.js';
import { resolveCharacter } from './resolve-character.js';
import { Speaker } from './speaker.js';
import { HeapTrimmer } from './webrtc/heap-trim.js';
import type { Voice } from '../protocol/voice.js';
import { voiceOf } from '../persona/voice.js';
import { SessionRecorder, type RecordingSummary } from './recorder.js';
import { resolveDataDir } from '../persona/conversation-store.js';

/** Frame-source loads of every session in this process, one at a time (two TensorRT builds at once would fight over the GPU). */
const SOURCE_LOADS = new LoadQueue();

/** How often clients that asked for it get the profiler feed, ms. */
const PROFILE_EVERY_MS = 250;

/** Chat lines one client may send: a burst of CHAT_BURST, then CHAT_PER_SECOND (a person types far slower). */
const CHAT_BURST = 10;
const CHAT_PER_SECOND = 5;
/** Messages of any kind one client may send a second (acks included) before it is closed as a flood. */
const MESSAGES_PER_SECOND = 400;
/** WebSocket clients one session takes at once; more are refused with a reason. */
export const MAX_CLIENTS_PER_SESSION = 32;
/** How long a dropped client has to finish the close handshake before its socket is cut. */
const DROP_GRACE_MS = 2_000;
/** A client is pinged this often; one that has not answered the previous ping by the next is closed (a dead or silent peer). */
const HEARTBEAT_MS = 30_000;
/** Bytes queued for a client that does not read, beyond which it is closed: never more memory than this per client. */
const MIN_BACKLOG_BYTES = 4 * 1024 * 1024;

/** A token bucket: `take()` is false once the burst is spent, until time refills it. */
export class RateLimit {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Client {
  wantFrames: boolean;
  /** Frames sent and not yet acknowledged (flow control the client drives). */
  unacked: number;
  /** A preview frame still being written to this client's socket: no next frame until it has gone. */
  frameInFlight: boolean;
  wantProfile: boolean;
  /** Answered the last ping (or has just joined). */
  alive: boolean;
  chat: RateLimit;
  messages: RateLimit;
}

export class ServedSession {
  readonly session: PersonaSession;
  readonly chat: SessionConversation;
  readonly feed: ProfilerFeed;
  readonly video: VideoFeed;
  /** The voice over WebRTC (Opus beside the video for /whep, /viewer, /obs): push() speech, clear() to cut it. */
  readonly audio: AudioFeed;
  readonly whep: WhepEndpoint;
  private readonly clients = new Map<WebSocket, Client>();
  /** Told every chat turn's messages (directives, reply pieces, notices, replies), whoever sent the line. */
  readonly chatListeners = new Set<(message: ServerMessage) => void>();
  private readonly profileTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;
  /** Clients that leave free their socket buffers; glibc keeps the pages until trimmed. */
  private readonly trimmer = new HeapTrimmer();
  /** Bytes a client may have queued before it is dropped as not reading. */
  private readonly maxBacklog: number;
  /** Speaks the replies aloud; null when the voice is off or missing (`voiceStatus` says why). */
  readonly speaker: Speaker | null;
  readonly voiceStatus: { on: true; id: string } | { on: false; reason: string };
  /** Writing this session's input timeline (record and replay), or null. */
  recorder: SessionRecorder | null = null;
  /** Where recordings started from the API go: <data dir>/recordings. */
  readonly recordingsDir: string;
  private readonly source: ServerConfig['source'];

  constructor(
    readonly name: string,
    characterId: string,
    config: ServerConfig,
    /** The server's voice (one synthesiser for every session), or null when `--voice off`. */
    voice: Voice | null = null,
  ) {
    this.session = new PersonaSession({
      character: resolveCharacter(characterId, config.persona.dataDir),
      fps: config.fps,
      width: config.width,
      height: config.height,
      source: config.source,
      dataDir: config.persona.dataDir,
      loadQueue: SOURCE_LOADS,
    });
    this.source = config.source;
    // A history kept in memory (':memory:') has no folder: recordings go to the default data dir then.
    const dataDir = config.persona.dataDir === ':memory:' ? undefined : config.persona.dataDir;
    this.recordingsDir = path.resolve(resolveDataDir(dataDir), 'recordings');
    if (config.profileCpu) this.session.world.profiler.cpuClock = threadCpuMs;
    this.chat = attachConversation(this.session, config.persona);
    this.feed = new ProfilerFeed(this.session);
    this.video = new VideoFeed(this.session, config.background);
    // The voice is paced on engine time, the clock its mouth lines and the frames follow: when the loop
    // re-phases to an input (engine time jumps up to a tick ahead), the sound moves with the frames instead
    // of falling behind the mouth of every clause already scheduled.
    this.audio = new AudioFeed({ now: () => this.session.now });
    // The first viewer that reports its display paces the ticks to its refresh (docs/latency.md).
    this.whep = new WhepEndpoint(this.video, name, config.maxViewers, this.audio, undefined, new DisplayPacer(() => this.session.phase));
    this.maxBacklog = Math.max(MIN_BACKLOG_BYTES, 3 * config.width * config.height * 4);
    const availability = voice?.availability() ?? { ok: false as const, reason: 'voice off (--voice off)' };
    this.voiceStatus = availability.ok ? { on: true, id: voice!.id } : { on: false, reason: availability.reason };
    this.speaker =
      voice && availability.ok
        ? new Speaker(this.session, voice, voiceOf(this.session.character), {
            audio: ({ id, text, startsInMs, chunks }) => {
              const sampleRate = chunks[0]!.sampleRate;
              const samples = chunks.reduce((n, c) => n + c.pcm.length, 0);
              const pcm = new Int16Array(samples);
              let at = 0;
              for (const c of chunks) (pcm.set(c.pcm, at), (at += c.pcm.length));
              this.broadcast({ type: 'audio', id, text, startsInMs, sampleRate, pcm: new Uint8Array(pcm.buffer) });
              this.audio.push(pcm, sampleRate, { startsInMs }); // WebRTC viewers and the WHIP ingest hear it at the same moment
            },
            stop: () => {
              this.broadcast({ type: 'audio.stop' });
              this.audio.clear();
            },
          })
        : null;

    this.session.onEvent((event) => this.broadcast({ type: 'event', event }));
    this.session.onState((state) => this.broadcast({ type: 'state', state }));
    this.sendPreviewFrames();
    this.profileTimer = setInterval(() => this.sendProfile(), PROFILE_EVERY_MS);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.session.start();
  }

  /** WebSocket clients connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** A WebSocket client joined this session: greet it, then take its chat and flow-control messages. */
  connect(ws: WebSocket): void {
    if (this.clients.size >= MAX_CLIENTS_PER_SESSION) {
      ws.close(1013, `this session has ${MAX_CLIENTS_PER_SESSION} clients already; try again later`);
      return;
    }
    const client: Client = {
      wantFrames: true,
      unacked: 0,
      frameInFlight: false,
      wantProfile: false,
      alive: true,
      chat: new RateLimit(CHAT_BURST, CHAT_PER_SECOND),
      messages: new RateLimit(MESSAGES_PER_SECOND, MESSAGES_PER_SECOND),
    };
    this.clients.set(ws, client);
    const { character } = this.session;
    this.send(ws, { type: 'welcome', character: character.id, name: character.name, fps: this.session.fps, width: this.session.width, height: this.session.height, voice: this.voiceStatus });
    this.send(ws, { type: 'state', state: this.session.state() });
    const greeting = character.lines.greeting?.[0];
    if (greeting) this.send(ws, { type: 'reply', text: greeting.replace('{name}', character.name), inReplyTo: '' });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!client.messages.take()) {
        this.drop(ws, 1008, `more than ${MESSAGES_PER_SECOND} messages a second`);
        return;
      }
      try {
        if (!isBinary) throw new Error('malformed message: expected a binary msgpack frame, got text');
        const message = parseClientMessage(data);
        if (message.type === 'hello') {
          client.wantFrames = message.wantFrames;
          return;
        }
        if (message.type === 'ack') {
          client.unacked = Math.max(0, client.unacked - 1);
          return;
        }
        if (message.type === 'profile') {
          client.wantProfile = message.enabled;
          return;
        }
        if (!client.chat.take()) {
          this.send(ws, { type: 'error', reason: `too many chat lines: at most ${CHAT_PER_SECOND} a second (bursts of ${CHAT_BURST}); "${message.text.slice(0, 40)}" was not read` });
          return;
        }
        this.chatLine(message.text, (m) => this.send(ws, m), 'page', ws).catch((error: Error) => this.send(ws, { type: 'error', reason: error.message }));
      } catch (error) {
        this.send(ws, { type: 'error', reason: (error as Error).message });
      }
    });
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => {
      this.clients.delete(ws);
      this.trimmer.departed();
    });
    ws.on('error', (error) => console.error(`websocket error (session ${this.name}): ${error.message}`));
  }

  /**
   * One chat turn, the same for a WebSocket client, the REST API and MCP (app/api/, app/mcp/): the
   * interpreter, the speculative start, the reply and the voice. `send` gets the turn's messages, and
   * so does every `chatListeners` entry (the API's event streams). Every other WebSocket client of
   * the session (`from` is the one whose line it is, if any) is told the line as a `chat.echo`
   * saying where it came from, then gets the turn's messages too: the page shows the whole
   * conversation, whoever spoke.
   */
  chatLine(text: string, send: (message: ServerMessage) => void, via: ChatVia = 'api', from?: WebSocket): Promise<void> {
    this.feed.chatReceived(performance.now());
    this.recorder?.chat(text);
    this.speaker?.interrupt(); // a new line cuts what she is saying, sound and mouth together
    const others = (message: ServerMessage) => {
      for (const ws of this.clients.keys()) if (ws !== from) this.send(ws, message);
    };
    others({ type: 'chat.echo', text, via });
    const relay = (message: ServerMessage) => {
      if (message.type === 'reply') this.recorder?.reply(message.text, message.provider ?? 'embedded');
      send(message);
      others(message);
      for (const listener of this.chatListeners) listener(message);
    };
    return relayChat(this.chat.conversation, text, relay, (ms) => (this.feed.llmTtftMs = Math.round(ms * 10) / 10), this.speaker ?? undefined);
  }

  /** Sends to one client; a client that stopped reading and let its backlog pass the limit is dropped instead. */
  private send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.maxBacklog) {
      this.drop(ws, 1008, `not reading: over ${Math.round(this.maxBacklog / 1048576)} MiB waiting to be sent`);
      return;
    }
    ws.send(encodeMessage(message));
  }

  /**
   * Closes a misbehaving client with a reason it can read; if it does not finish the close handshake
   * within DROP_GRACE_MS (a client that does not read never will), the socket is cut.
   */
  private drop(ws: WebSocket, code: number, reason: string): void {
    if (!this.clients.delete(ws)) return;
    console.warn(`websocket client dropped (session ${this.name}): ${reason}`);
    ws.close(code, reason.slice(0, 120));
    setTimeout(() => ws.terminate(), DROP_GRACE_MS).unref();
  }

  private broadcast(message: ServerMessage): void {
    for (const ws of this.clients.keys()) this.send(ws, message);
  }

  /** Preview frames to the clients that want them, each flow-controlled by its acks. */
  private sendPreviewFrames(): void {
    // One buffer per client at most (frameInFlight), plus the one being encoded.
    const framePool = new FramePool(MAX_CLIENTS_PER_SESSION + 2);
    this.session.onFrame((frame) => {
      let encoded: ReturnType<FramePool['encode']> | undefined; // encode once, only if some client takes it
      for (const [ws, client] of this.clients) {
        // Flow control is per client: its own acks, and its own socket having taken the last frame.
        // A client that acks frames it never read still gets at most one frame queued at a time.
        if (!client.wantFrames || client.unacked >= MAX_UNACKED_FRAMES || client.frameInFlight || ws.readyState !== ws.OPEN) continue;
        const start = performance.now();
        encoded ??= framePool.encode(frame.seq, frame.width, frame.height, frame.rgba);
        if (!encoded) return; // cannot happen while each client holds at most one buffer; skip rather than allocate
        client.unacked++;
        client.frameInFlight = true;
        const release = encoded.retain();
        ws.send(encoded.bytes, (error) => {
          client.frameInFlight = false;
          release();
          if (error && this.clients.has(ws)) console.error(`preview send failed: ${error.message}`);
        });
        this.session.world.profiler.recordSend({ start, ms: performance.now() - start, bytes: encoded.bytes.byteLength });
      }
    });
  }

  private heartbeat(): void {
    for (const [ws, client] of this.clients) {
      if (!client.alive) {
        this.drop(ws, 1001, `no answer to a ping within ${HEARTBEAT_MS / 1000} s`);
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }

  private sendProfile(): void {
    // The feed is a view, not a record: a client still writing the last one skips this one.
    const watchers = [...this.clients].filter(([ws, c]) => c.wantProfile && ws.bufferedAmount === 0).map(([ws]) => ws);
    if (watchers.length === 0) return;
    const message = this.feed.message();
    for (const ws of watchers) this.send(ws, message);
    // Refreshed in the background: the next message carries them.
    this.whep.stats().then(
      (viewers) => (this.feed.viewers = viewers),
      (error: Error) => console.error(`webrtc stats: ${error.message}`),
    );
  }

  /** Starts recording this session's inputs to `file` (replacing it); a recording already running is stopped first. */
  async startRecording(file: string): Promise<SessionRecorder> {
    await this.stopRecording();
    this.recorder = new SessionRecorder(this.session, file, { source: this.source, session: this.name });
    return this.recorder;
  }

  /** Stops the recording, if one runs; resolves once its file is complete. */
  async stopRecording(): Promise<RecordingSummary | null> {
    const recorder = this.recorder;
    this.recorder = null;
    return recorder ? recorder.stop() : null;
  }

  async close(): Promise<void> {
    await this.stopRecording();
    clearInterval(this.profileTimer);
    clearInterval(this.heartbeatTimer);
    this.trimmer.stop();
    this.speaker?.dispose();
    this.whep.closeAll();
    this.video.stop();
    this.audio.stop();
    this.session.world.profiler.detach();
    await this.chat.close();
    this.session.stop();
    await this.session.sources?.idle(); // a neural source's worker finishes its run before the process may end
    for (const ws of this.clients.keys()) ws.terminate();
  }
}
