/**
 * The app server: one process runs one or more named sessions (app/served-session.ts) and serves
 * the UI over HTTP, a small REST API, a WebSocket (msgpackr) carrying chat in and replies, events,
 * state and preview frames out, and WebRTC over WHEP. `?session=<name>` (or /whep/<name>) picks a
 * session; without it, requests go to the first.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { ServerConfigSchema, type ServerConfig } from '../protocol/config.js';
import { CHARACTERS } from '../characters/index.js';
import type { PersonaSession } from './session.js';
import type { VideoFeed } from './webrtc/video-feed.js';
import { fieldTrials } from './webrtc/wrtc.js';
import { WhipPusher } from './webrtc/whip-client.js';
import { ServedSession } from './served-session.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
  /** The first (default) session, and its WebRTC video feed (benchmarks hook its frames). */
  session: PersonaSession;
  video: VideoFeed;
  /** Every session by name, the default first. */
  sessions: ReadonlyMap<string, ServedSession>;
  close(): Promise<void>;
}

export const startServer = async (overrides: Partial<ServerConfig> = {}): Promise<RunningServer> => {
  const config = ServerConfigSchema.parse(overrides);
  if (!isLoopback(config.host) && !config.token) {
    throw new Error(`binding ${config.host} exposes the persona beyond this machine: set a token (--token or PERSONA_TOKEN, 16+ characters)`);
  }
  const wanted = config.sessions ?? [{ name: 'default', character: config.character }];
  const duplicate = wanted.find((w, i) => wanted.findIndex((o) => o.name === w.name) !== i);
  if (duplicate) throw new Error(`session "${duplicate.name}" is listed twice; give each session its own name`);
  const served = new Map<string, ServedSession>();
  try {
    for (const { name, character } of wanted) served.set(name, new ServedSession(name, character, config));
  } catch (error) {
    for (const s of served.values()) await s.close();
    throw error;
  }
  const main = served.get(wanted[0]!.name)!;
  const names = [...served.keys()];
  const whip = config.whipUrl
    ? new WhipPusher(main.video, {
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
  /** The session a request names (`?session=`, or /whep/<session>), the first one when it names none; null when unknown. */
  const sessionFor = (name: string | null | undefined): ServedSession | null => (name ? (served.get(name) ?? null) : main);
  const unknownSession = (name: string | null | undefined) => `unknown session "${name}"; this server streams ${names.map((n) => `"${n}"`).join(', ')}`;

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
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'whep') {
      const target = sessionFor(parts[1]);
      if (!target) return res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(unknownSession(parts[1]));
      if (await target.whep.handle(req, res, url.pathname)) return;
    }
    const one = sessionFor(url.searchParams.get('session'));
    if (!one && url.pathname.startsWith('/api/')) return json(404, { error: unknownSession(url.searchParams.get('session')) });
    if (!one && (url.pathname === '/' || url.pathname === '/viewer' || url.pathname === '/obs')) {
      return res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(unknownSession(url.searchParams.get('session')));
    }
    const { session, chat, feed, video, whep } = one ?? main;
    if (url.pathname === '/api/webrtc/stats') {
      return json(200, { viewers: await whep.stats(), framesSent: video.framesSent, framesSkipped: video.framesSkipped, whip: one === main ? (whip?.status ?? null) : null, fieldTrials: fieldTrials() });
    }
    if (url.pathname === '/api/health') {
      return json(200, {
        status: 'ok',
        character: session.character.id,
        fps: session.fps,
        width: session.width,
        height: session.height,
        tick: session.world.time.tick,
        sessions: [...served.values()].map((s) => ({ name: s.name, character: s.session.character.id })),
      });
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
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws' || !authorized(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    const target = sessionFor(url.searchParams.get('session'));
    if (!target) {
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\n${unknownSession(url.searchParams.get('session'))}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => target.connect(ws));
  });

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
    session: main.session,
    video: main.video,
    sessions: served,
    close: async () => {
      await whip?.stop();
      for (const s of served.values()) await s.close();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
