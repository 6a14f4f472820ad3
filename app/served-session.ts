/**
 * One named session as the server serves it: the persona session with its conversation, its
 * WebSocket clients (chat in; replies, events, state, preview frames and the profiler feed out),
 * and its WebRTC video with its own WHEP endpoint. The server holds one per configured session.
 */
import type { WebSocket } from 'ws';
import type { ServerConfig } from '../protocol/config.js';
import { MAX_UNACKED_FRAMES, encodeMessage, parseClientMessage, type ServerMessage } from '../protocol/wire.js';
import { threadCpuMs } from '../native/index.js';
import { PersonaSession } from './session.js';
import { ProfilerFeed } from './profiler-feed.js';
import { FramePool } from './frame-pool.js';
import { VideoFeed } from './webrtc/video-feed.js';
import { WhepEndpoint } from './webrtc/whep.js';
import { attachConversation, type SessionConversation } from './session-conversation.js';
import { relayChat } from './chat-relay.js';
import { resolveCharacter } from './resolve-character.js';

/** How often clients that asked for it get the profiler feed, ms. */
const PROFILE_EVERY_MS = 250;

interface Client {
  wantFrames: boolean;
  unacked: number;
  wantProfile: boolean;
}

export class ServedSession {
  readonly session: PersonaSession;
  readonly chat: SessionConversation;
  readonly feed: ProfilerFeed;
  readonly video: VideoFeed;
  readonly whep: WhepEndpoint;
  private readonly clients = new Map<WebSocket, Client>();
  private readonly profileTimer: NodeJS.Timeout;

  constructor(
    readonly name: string,
    characterId: string,
    config: ServerConfig,
  ) {
    this.session = new PersonaSession({
      character: resolveCharacter(characterId, config.persona.dataDir),
      fps: config.fps,
      width: config.width,
      height: config.height,
      source: config.source,
    });
    if (config.profileCpu) this.session.world.profiler.cpuClock = threadCpuMs;
    this.chat = attachConversation(this.session, config.persona);
    this.feed = new ProfilerFeed(this.session);
    this.video = new VideoFeed(this.session, config.background);
    this.whep = new WhepEndpoint(this.video, name, config.maxViewers);

    this.session.onEvent((event) => this.broadcast({ type: 'event', event }));
    this.session.onState((state) => this.broadcast({ type: 'state', state }));
    this.sendPreviewFrames();
    this.profileTimer = setInterval(() => this.sendProfile(), PROFILE_EVERY_MS);
    this.session.start();
  }

  /** A WebSocket client joined this session: greet it, then take its chat and flow-control messages. */
  connect(ws: WebSocket): void {
    const client: Client = { wantFrames: true, unacked: 0, wantProfile: false };
    this.clients.set(ws, client);
    const { character } = this.session;
    this.send(ws, { type: 'welcome', character: character.id, name: character.name, fps: this.session.fps, width: this.session.width, height: this.session.height });
    this.send(ws, { type: 'state', state: this.session.state() });
    const greeting = character.lines.greeting?.[0];
    if (greeting) this.send(ws, { type: 'reply', text: greeting.replace('{name}', character.name), inReplyTo: '' });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
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
        this.feed.chatReceived(performance.now());
        relayChat(this.chat.conversation, message.text, (m) => this.send(ws, m), (ms) => (this.feed.llmTtftMs = Math.round(ms * 10) / 10)).catch((error: Error) =>
          this.send(ws, { type: 'error', reason: error.message }),
        );
      } catch (error) {
        this.send(ws, { type: 'error', reason: (error as Error).message });
      }
    });
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', (error) => console.error(`websocket error (session ${this.name}): ${error.message}`));
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(encodeMessage(message));
  }

  private broadcast(message: ServerMessage): void {
    for (const ws of this.clients.keys()) this.send(ws, message);
  }

  /** Preview frames to the clients that want them, each flow-controlled by its acks. */
  private sendPreviewFrames(): void {
    const framePool = new FramePool();
    this.session.onFrame((frame) => {
      let encoded: ReturnType<FramePool['encode']> | undefined; // encode once, only if some client takes it
      for (const [ws, client] of this.clients) {
        if (!client.wantFrames || client.unacked >= MAX_UNACKED_FRAMES || ws.readyState !== ws.OPEN) continue;
        const start = performance.now();
        encoded ??= framePool.encode(frame.seq, frame.width, frame.height, frame.rgba);
        if (!encoded) return; // every buffer is still being sent: skip this frame for everyone
        client.unacked++;
        const release = encoded.retain();
        ws.send(encoded.bytes, (error) => {
          release();
          if (error) console.error(`preview send failed: ${error.message}`);
        });
        this.session.world.profiler.recordSend({ start, ms: performance.now() - start, bytes: encoded.bytes.byteLength });
      }
    });
  }

  private sendProfile(): void {
    const watchers = [...this.clients].filter(([, c]) => c.wantProfile).map(([ws]) => ws);
    if (watchers.length === 0) return;
    const message = this.feed.message();
    for (const ws of watchers) this.send(ws, message);
    // Refreshed in the background: the next message carries them.
    this.whep.stats().then(
      (viewers) => (this.feed.viewers = viewers),
      (error: Error) => console.error(`webrtc stats: ${error.message}`),
    );
  }

  async close(): Promise<void> {
    clearInterval(this.profileTimer);
    this.whep.closeAll();
    this.video.stop();
    this.session.world.profiler.detach();
    await this.chat.close();
    this.session.stop();
    for (const ws of this.clients.keys()) ws.terminate();
  }
}
