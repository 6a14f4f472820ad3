/**
 * The app server: one process runs one or more named sessions (app/served-session.ts) and serves
 * the UI over HTTP, a small REST API, a WebSocket (msgpackr) carrying chat in and replies, events,
 * state and preview frames out, and WebRTC over WHEP. `?session=<name>` (or /whep/<name>) picks a
 * session; without it, requests go to the first.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
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
import { createAppVoice } from './say-command.js';
import { createRemoteVoice } from '../persona/remote-voice.js';
import { createApi } from './api/index.js';

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
  // The desktop character (app/desktop): the persona alone on a transparent page.
  '/character': { file: 'renderer/character.html', type: 'text/html; charset=utf-8' },
  '/character.js': { file: 'renderer/dist/character.js', type: 'text/javascript; charset=utf-8' },
};

const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';

/** Sent with every page: only this server's own scripts, sockets and frames; no foreign site may frame it. */
const PAGE_SECURITY = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * A request whose headers have not all arrived after this long is closed (slow-header sockets);
 * one whose body has not either, after REQUEST_TIMEOUT_MS. Node checks every CONNECTION_CHECK_MS.
 */
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_CHECK_MS = 1_000;

/** The request's target as a URL, or null when it cannot be parsed (e.g. `//[`): the caller answers 400. */
const parseTarget = (req: http.IncomingMessage): URL | null => {
  try {
    return new URL(req.url ?? '/', 'http://x');
  } catch {
    return null;
  }
};
const BAD_TARGET = 'bad request target: send a path such as /api/health';

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
  // One synthesiser for every session (espeak-ng speaks one utterance at a time; it is far faster than real time).
  const voice =
    config.voice === 'off' ? null : config.voiceUrl ? createRemoteVoice({ baseUrl: config.voiceUrl, apiKey: process.env.PERSONA_VOICE_API_KEY }) : createAppVoice();
  const availability = voice?.availability();
  if (availability && !availability.ok) console.warn(`persona: ${availability.reason}${availability.detail ? ` (${availability.detail})` : ''}; replies are text only`);
  try {
    for (const { name, character } of wanted) served.set(name, new ServedSession(name, character, config, voice));
    if (config.record) await served.get(wanted[0]!.name)!.startRecording(config.record);
  } catch (error) {
    for (const s of served.values()) await s.close();
    voice?.dispose();
    throw error;
  }
  const main = served.get(wanted[0]!.name)!;
  const names = [...served.keys()];
  const whip = config.whipUrl
    ? new WhipPusher(main.video, {
        url: config.whipUrl,
        token: config.whipToken,
        onStatus: (s) => console.log(`whip: ${s.state}${s.reason ? ` (${s.reason}; retry in ${s.retryInMs} ms)` : ''}`),
      }, main.audio)
    : null;

  const authorized = (req: http.IncomingMessage, url: URL) => {
    if (!config.token) return true;
    return req.headers.authorization === `Bearer ${config.token}` || url.searchParams.get('token') === config.token;
  };
  /** The session a request names (`?session=`, or /whep/<session>), the first one when it names none; null when unknown. */
  const sessionFor = (name: string | null | undefined): ServedSession | null => (name ? (served.get(name) ?? null) : main);
  const unknownSession = (name: string | null | undefined) => `unknown session "${name}"; this server streams ${names.map((n) => `"${n}"`).join(', ')}`;

  /**
   * Bound to loopback, only loopback names may be asked for: a page on another site that a DNS
   * rebinding points at 127.0.0.1 sends its own name as Host and is refused. Beyond loopback the
   * token guards the API and pages are public.
   */
  const loopbackBind = isLoopback(config.host);
  const hostAllowed = (host: string | undefined): boolean => {
    if (!loopbackBind) return true;
    if (!host) return false;
    const name = host.replace(/:\d+$/, '');
    return name === 'localhost' || name === '127.0.0.1' || name === '[::1]';
  };
  /** A browser's WebSocket names the page's origin: only this server's own pages (same host) may open one. Programs send none. */
  const originAllowed = (req: http.IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      const { host, hostname, port, protocol } = new URL(origin);
      if (protocol !== 'http:' && protocol !== 'https:') return false;
      if (host === req.headers.host) return hostAllowed(host);
      // The UI opened as http://localhost:P talking to 127.0.0.1:P is still this server's own page.
      return loopbackBind && hostAllowed(host) && Number(port || 80) === req.socket.localPort && isLoopback(hostname.replace(/^\[|\]$/g, ''));
    } catch {
      return false;
    }
  };

  /** REST for programs and the MCP server at /mcp (app/api/, app/mcp/). */
  const api = createApi({ sessionFor, unknownSession, originAllowed, sessions: served });

  /** The response under way on each connection: a parse error after an interim 100 Continue still owes its final status. */
  const responses = new WeakMap<Duplex, http.ServerResponse>();
  const server = http.createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: CONNECTION_CHECK_MS },
    (req, res) => {
      responses.set(req.socket, res);
      handleHttp(req, res).catch((error: Error) => {
        if (!req.socket.writable) return; // the client went away or its body broke (answered by clientError): nothing of ours failed
        console.error(`http ${req.method} ${req.url?.slice(0, 200)}: ${error.stack ?? error.message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal error; the server log says more' }));
      });
    },
  );

  const handleHttp = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    const url = parseTarget(req);
    if (!url) return json(400, { error: BAD_TARGET });
    if (!hostAllowed(req.headers.host)) {
      return json(403, { error: `Host "${String(req.headers.host).slice(0, 100)}" is not this server: use http://127.0.0.1 or http://localhost` });
    }
    const needsToken = url.pathname.startsWith('/api/') || url.pathname.startsWith('/whep') || url.pathname === '/mcp';
    if (needsToken && !authorized(req, url)) return json(401, { error: 'missing or wrong bearer token' });
    if (await api.handle(req, res, url)) return;
    if (url.pathname.startsWith('/api/') && req.method !== 'GET' && req.method !== 'HEAD') {
      return json(405, { error: `${req.method} is not allowed on ${url.pathname}; use GET` }, { allow: 'GET, HEAD' });
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'whep') {
      const target = sessionFor(parts[1]);
      if (!target) return res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(unknownSession(parts[1]));
      if (await target.whep.handle(req, res, url.pathname)) return;
    }
    const one = sessionFor(url.searchParams.get('session'));
    if (!one && url.pathname.startsWith('/api/')) return json(404, { error: unknownSession(url.searchParams.get('session')) });
    if (!one && (url.pathname === '/' || url.pathname === '/viewer' || url.pathname === '/obs' || url.pathname === '/character')) {
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
        voice: main.voiceStatus.on ? main.voiceStatus.id : main.voiceStatus.reason,
        // The frame source: which shows, whether one is loading, the execution provider of a neural one, and why one failed.
        source: session.sourceStatus && { active: session.sourceStatus.active, state: session.sourceStatus.state, provider: session.sourceStatus.provider, error: session.sourceStatus.error },
        sessions: [...served.values()].map((s) => ({ name: s.name, character: s.session.character.id, clients: s.clientCount })),
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
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = await readFile(path.join(root, asset.file)).catch(() => null);
      if (!body) return json(500, { error: `${asset.file} is missing: run \`npm run build:renderer\`` });
      res.writeHead(200, { 'content-type': asset.type, 'content-length': body.byteLength, 'cache-control': 'no-store', ...PAGE_SECURITY });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (asset) return json(405, { error: `${req.method} is not allowed on ${url.pathname}; use GET` }, { allow: 'GET, HEAD' });
    return json(404, { error: `no route ${req.method} ${url.pathname}` });
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined); // a peer that resets mid-handshake is not the server's error
    const url = parseTarget(req);
    if (!url) {
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${BAD_TARGET}`);
      return;
    }
    if (!hostAllowed(req.headers.host) || !originAllowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nthis WebSocket is open to pages of this server only (Origin and Host must name it)');
      return;
    }
    if (url.pathname !== '/ws') {
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nno WebSocket at ${url.pathname.slice(0, 100)}: connect to /ws`);
      return;
    }
    if (!authorized(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nmissing or wrong token: add ?token=… or an Authorization: Bearer header');
      return;
    }
    const target = sessionFor(url.searchParams.get('session'));
    if (!target) {
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\n${unknownSession(url.searchParams.get('session'))}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => target.connect(ws));
  });

  // CONNECT (a proxy request) is no route of ours: answer it rather than let Node drop the socket unanswered.
  server.on('connect', (_req, socket: Duplex) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nCONNECT is not supported: this is not a proxy');
  });
  // Requests Node cannot parse get a status with a reason, not a bare 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    socket.on('error', () => undefined);
    if (!socket.writable) return socket.destroy();
    // A connection already answered (pipelined garbage behind a request, or a body that broke after the
    // handler replied) gets no second status line, which would read as part of that response: what is
    // queued is sent, then it closes. Only an interim 100 Continue leaves the final status still owed.
    const response = responses.get(socket);
    const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
    if (response ? response.headersSent : written > 0) return socket.end();
    const [status, reason] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', 'the request headers are too large (Node limits them to 16 KiB)']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['408 Request Timeout', `the request did not arrive in time (headers within ${HEADERS_TIMEOUT_MS / 1000} s)`]
          : ['400 Bad Request', `the request could not be parsed (${error.code ?? 'malformed'})`];
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${reason}`);
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
      await api.close();
      for (const s of served.values()) await s.close();
      voice?.dispose();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
