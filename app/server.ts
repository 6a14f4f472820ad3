/**
 * The app server: one process runs the session and serves the UI over HTTP, a small REST API and
 * one WebSocket (msgpackr) carrying chat in and replies, events, state and preview frames out.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { ServerConfigSchema, type ServerConfig } from '../protocol/config.js';
import { MAX_UNACKED_FRAMES, encodeMessage, parseClientMessage, type ServerMessage } from '../protocol/wire.js';
import { CHARACTERS } from '../characters/index.js';
import { PersonaSession } from './session.js';
import { ProfilerFeed } from './profiler-feed.js';
import { FramePool } from './frame-pool.js';
import { VideoFeed } from './webrtc/video-feed.js';
import { WhepEndpoint } from './webrtc/whep.js';
import { fieldTrials } from './webrtc/wrtc.js';
import { threadCpuMs } from '../native/index.js';
import { WhipPusher } from './webrtc/whip-client.js';
import { attachConversation } from './session-conversation.js';
import { relayChat } from './chat-relay.js';
import { resolveCharacter } from './resolve-character.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How often clients that asked for it get the profiler feed, ms. */
const PROFILE_EVERY_MS = 250;
/** Most seconds a trace export covers (the profiler's rings hold about a minute). */
const MAX_TRACE_SECONDS = 60;
/**
 * Hard cap ws enforces by closing the socket; below it, our own 64 KiB check answers with an error
 * message. 4 MiB, so that even a 1 MiB chat line gets that clear error instead of a closed socket.
 */
const WS_MAX_PAYLOAD = 4 * 1024 * 1024;

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'renderer/index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'renderer/dist/app.js', type: 'text/javascript; charset=utf-8' },
  '/viewer': { file: 'renderer/viewer.html', type: 'text/html; charset=utf-8' },
  '/obs': { file: 'renderer/viewer.html', type: 'text/html; charset=utf-8' },
  '/viewer.js': { file: 'renderer/dist/viewer.js', type: 'text/javascript; charset=utf-8' },
};

const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';

export interface RunningServer {
  url: string;
  session: PersonaSession;
  /** The WebRTC video feed (benchmarks hook its frames). */
  video: VideoFeed;
  close(): Promise<void>;
}

export const startServer = async (overrides: Partial<ServerConfig> = {}): Promise<RunningServer> => {
  const config = ServerConfigSchema.parse(overrides);
  if (!isLoopback(config.host) && !config.token) {
    throw new Error(`binding ${config.host} exposes the persona beyond this machine: set a token (--token or PERSONA_TOKEN, 16+ characters)`);
  }
  const session = new PersonaSession({ character: resolveCharacter(config.character, config.persona.dataDir), fps: config.fps, width: config.width, height: config.height, source: config.source });
  if (config.profileCpu) session.world.profiler.cpuClock = threadCpuMs;
  const chat = attachConversation(session, config.persona);
  const feed = new ProfilerFeed(session);
  const video = new VideoFeed(session, config.background);
  const whep = new WhepEndpoint(video, 'default', config.maxViewers);
  const whip = config.whipUrl
    ? new WhipPusher(video, {
        url: config.whipUrl,
        token: config.whipToken,
        onStatus: (s) => console.log(`whip: ${s.state}${s.reason ? ` (${s.reason}; retry in ${s.retryInMs} ms)` : ''}`),
      })
    : null;

  const authorized = (req: http.IncomingMessage) => {
    if (!config.token) return true;
    const url = new URL(req.url ?? '/', 'http://x');
    return req.headers.authorization === `Bearer ${config.token}` || url.searchParams.get('token') === config.token;
  };

  const server = http.createServer((req, res) => {
    handleHttp(req, res).catch((error: Error) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    });
  });

  const handleHttp = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const needsToken = url.pathname.startsWith('/api/') || url.pathname.startsWith('/whep');
    if (needsToken && !authorized(req)) return json(401, { error: 'missing or wrong bearer token' });
    if (await whep.handle(req, res, url.pathname)) return;
    if (url.pathname === '/api/webrtc/stats') {
      return json(200, { viewers: await whep.stats(), framesSent: video.framesSent, framesSkipped: video.framesSkipped, whip: whip?.status ?? null, fieldTrials: fieldTrials() });
    }
    if (url.pathname === '/api/health') {
      return json(200, { status: 'ok', character: session.character.id, fps: session.fps, width: session.width, height: session.height, tick: session.world.time.tick });
    }
    if (url.pathname === '/api/history') {
      const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 200) || 200));
      return json(200, { character: session.character.id, provider: chat.conversation.provider, messages: chat.conversation.history(limit) });
    }
    if (url.pathname === '/api/trace') {
      const seconds = Number(url.searchParams.get('seconds') ?? 10);
      if (!(seconds > 0 && seconds <= MAX_TRACE_SECONDS)) return json(400, { error: `seconds must be in (0, ${MAX_TRACE_SECONDS}], got "${url.searchParams.get('seconds')}"` });
      res.writeHead(200, { 'content-type': 'application/json', 'content-disposition': `attachment; filename="persona-trace-${Date.now()}.json"` });
      return res.end(JSON.stringify(feed.trace(seconds)));
    }
    if (url.pathname === '/api/characters') return json(200, CHARACTERS.map((c) => ({ id: c.id, name: c.name, personality: c.personality })));
    if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
    const asset = STATIC[url.pathname];
    if (asset && req.method === 'GET') {
      const body = await readFile(path.join(root, asset.file)).catch(() => null);
      if (!body) return json(500, { error: `${asset.file} is missing: run \`npm run build:renderer\`` });
      return res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' }).end(body);
    }
    return json(404, { error: `no route ${req.method} ${url.pathname}` });
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const clients = new Map<WebSocket, { wantFrames: boolean; unacked: number; wantProfile: boolean }>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws' || !authorized(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeMessage(message));
  };
  const broadcast = (message: ServerMessage) => {
    for (const ws of clients.keys()) send(ws, message);
  };

  wss.on('connection', (ws: WebSocket) => {
    const client = { wantFrames: true, unacked: 0, wantProfile: false };
    clients.set(ws, client);
    const { character } = session;
    send(ws, { type: 'welcome', character: character.id, name: character.name, fps: session.fps, width: session.width, height: session.height });
    send(ws, { type: 'state', state: session.state() });
    const greeting = character.lines.greeting?.[0];
    if (greeting) send(ws, { type: 'reply', text: greeting.replace('{name}', character.name), inReplyTo: '' });
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
        feed.chatReceived(performance.now());
        relayChat(chat.conversation, message.text, (m) => send(ws, m), (ms) => (feed.llmTtftMs = Math.round(ms * 10) / 10)).catch((error: Error) =>
          send(ws, { type: 'error', reason: error.message }),
        );
      } catch (error) {
        send(ws, { type: 'error', reason: (error as Error).message });
      }
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (error) => console.error(`websocket error: ${error.message}`));
  });

  session.onEvent((event) => broadcast({ type: 'event', event }));
  session.onState((state) => broadcast({ type: 'state', state }));
  const framePool = new FramePool();
  session.onFrame((frame) => {
    let encoded: ReturnType<FramePool['encode']> | undefined; // encode once, only if some client takes it
    for (const [ws, client] of clients) {
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
      session.world.profiler.recordSend({ start, ms: performance.now() - start, bytes: encoded.bytes.byteLength });
    }
  });
  const profileTimer = setInterval(() => {
    const watchers = [...clients].filter(([, c]) => c.wantProfile).map(([ws]) => ws);
    if (watchers.length === 0) return;
    const message = feed.message();
    for (const ws of watchers) send(ws, message);
    // Refreshed in the background: the next message carries them.
    whep.stats().then(
      (viewers) => (feed.viewers = viewers),
      (error: Error) => console.error(`webrtc stats: ${error.message}`),
    );
  }, PROFILE_EVERY_MS);

  session.start();
  whip?.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    session,
    video,
    close: async () => {
      clearInterval(profileTimer);
      whep.closeAll();
      await whip?.stop();
      video.stop();
      session.world.profiler.detach();
      await chat.close();
      session.stop();
      for (const ws of clients.keys()) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
