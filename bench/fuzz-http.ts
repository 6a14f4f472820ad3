/**
 * HTTP fuzz cases, written byte by byte on a fresh loopback TCP connection each (fetch would refuse
 * most of them): random methods; targets Node cannot parse (`//[`), absolute, huge or full of
 * percent signs; Host and Origin of every sort; huge and many headers; lying, negative, doubled
 * Content-Length and chunked bodies; upgrades anywhere; on /api/*, /whep, /ws and the pages. Every
 * other case is an API case instead (fuzz-api.ts: hostile JSON on the API's routes and /mcp).
 * Every complete request must get a status line: 4xx saying why, or a success — never 5xx, never
 * silence. A request that promises more body than it sends is answered, or closed once the client
 * leaves.
 */
import net from 'node:net';
import type { FuzzContext } from './fuzz-report.js';
import { caseRng, mutateText, randomText, textPreview, type Rng } from './fuzz-rng.js';
import { MAX_SDP_BYTES, OVERSIZED_BODY_CLOSED } from './fuzz-sdp.js';
import { apiCase, describeApiCase, runApiCase } from './fuzz-api.js';

/** A complete request with no status line after this long is a hang. */
export const HTTP_HANG_MS = 10_000;

export interface HttpCase {
  bytes: Buffer;
  input: string;
  /** The request promises more body than it sends: the server may wait for it, until the client leaves. */
  incomplete: boolean;
  head: boolean;
}

const PATHS = [
  '/',
  '/viewer',
  '/obs',
  '/app.js',
  '/viewer.js',
  '/favicon.ico',
  '/api/health',
  '/api/history',
  '/api/history?limit=0',
  '/api/history?limit=-5',
  '/api/history?limit=1e9',
  '/api/trace?seconds=0.01',
  '/api/trace?seconds=-1',
  '/api/trace?seconds=NaN',
  '/api/trace?seconds=1e308',
  '/api/characters',
  '/api/webrtc/stats',
  '/api/nope',
  '/api/',
  '/api',
  '/whep',
  '/whep/',
  '/whep/default',
  '/whep/default/00000000-0000-0000-0000-000000000000',
  '/whep/default/..',
  '/whep/nosuch',
  '/whep/a/b/c/d',
  '/ws',
  '/ws?session=nosuch',
  '/?session=nosuch',
  '/api/health?session=default',
  '/api/health?session=',
  '/mcp',
  '/index.html',
  '/renderer/index.html',
  '/../package.json',
  '/%2e%2e/package.json',
];

const ODD_TARGETS = [
  '//[',
  '//[::1',
  '*',
  'http://127.0.0.1/api/health',
  'http://evil.example/api/history',
  'https://[::1]/',
  '/%',
  '/%zz',
  '/%00',
  '/api/health#frag',
  '/api/health?' + 'a=1&'.repeat(1000),
  '/' + 'a'.repeat(8000),
  '/' + 'a'.repeat(70_000),
  '',
  ' /api/health',
  '/api/health ',
  'api/health',
  '\\api\\health',
  '/\u00e9\u00ff',
  '/api/health\u0000',
  '//',
  '///api/health',
  '/whep/default/' + '%'.repeat(40),
];

const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'PRI', 'get', 'Get', 'SEARCH', 'PROPFIND', 'M-SEARCH', 'QUERY'];
const CONTENT_TYPES = ['application/sdp', 'application/trickle-ice-sdpfrag', 'application/json', 'text/plain', 'application/sdp; charset=utf-8', 'APPLICATION/SDP', 'application/sdpx', 'multipart/form-data; boundary=x', '', '\u00ff'];

const token = (rng: Rng) => Array.from({ length: rng.int(1, 12) }, () => rng.pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&\'*+-.^_`|~'.split(''))).join('');

const target = (rng: Rng): string => {
  const roll = rng.int(0, 9);
  if (roll < 5) return rng.pick(PATHS);
  if (roll < 7) return rng.pick(ODD_TARGETS);
  if (roll < 8) return rng.pick(PATHS) + (rng.chance(0.5) ? '?' : '&') + `${rng.pick(['session', 'token', 'limit', 'seconds'])}=${rng.chance(0.5) ? encodeURIComponent(randomText(rng, 20).replace(/[\ud800-\udfff]/g, '?')) : randomText(rng, 20)}`;
  if (roll < 9) return mutateText(rng, rng.pick(PATHS), 1);
  return '/' + randomText(rng, 40);
};

const body = (rng: Rng): Buffer => {
  switch (rng.int(0, 6)) {
    case 0:
    case 1:
      return Buffer.alloc(0);
    case 2:
      return Buffer.from(rng.bytes(rng.size(2000)));
    case 3:
      return Buffer.from(randomText(rng, 500));
    case 4:
      return Buffer.from(rng.pick(['v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', 'a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n', '{"type":"chat","text":"wave"}', '0\r\n\r\n']));
    case 5:
      return Buffer.alloc(rng.pick([64 * 1024, 64 * 1024 + 1, 200_000]), 'v');
    default:
      return Buffer.from(JSON.stringify({ [randomText(rng, 10)]: randomText(rng, 50) }));
  }
};

const MUTATIONS = ['method', 'target', 'version', 'line endings', 'host', 'origin', 'content type', 'authorization', 'connection', 'upgrade', 'framing', 'odd header', 'huge header', 'many headers', 'body'] as const;
type Mutation = (typeof MUTATIONS)[number];

/**
 * Case `index`: a whole request as bytes. Each starts as a plausible request (a known method, a
 * route, HTTP/1.1, the right Host, an honest length) and gets up to three mutations, so that most
 * cases get past Node's parser to the server's own code and the rest test the parser's answers.
 */
export const httpCase = (rng: Rng, port: number): HttpCase => {
  const mutations = new Set<Mutation>(Array.from({ length: rng.pick([0, 1, 1, 1, 2, 2, 3]) }, () => rng.pick(MUTATIONS)));
  const has = (m: Mutation) => mutations.has(m);
  let method = rng.pick(['GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
  if (has('method')) method = rng.chance(0.6) ? rng.pick(METHODS) : rng.pick([token(rng), '', 'G E T', 'X'.repeat(200), randomText(rng, 10)]);
  const path = has('target') ? (rng.chance(0.6) ? rng.pick(ODD_TARGETS) : target(rng)) : rng.chance(0.8) ? rng.pick(PATHS) : target(rng);
  const version = has('version') ? rng.pick(['HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1 x', 'http/1.1', 'HTTP/1.10', '', 'HTTP/9.9']) : 'HTTP/1.1';
  const eol = has('line endings') ? rng.pick(['\n', '\r', '\r\r\n', '\n\r']) : '\r\n';
  const headers: string[] = [];
  const wantsSdp = method === 'POST' || method === 'PATCH';
  const content = has('body') ? body(rng) : wantsSdp && rng.chance(0.7) ? Buffer.from(rng.pick(['v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', 'a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n', 'hello'])) : Buffer.alloc(0);
  let incomplete = false;

  const host = has('host') ? rng.pick(['evil.example', `evil.example:${port}`, '', 'a'.repeat(5000), `127.0.0.1:${port}, evil.example`, '127.0.0.1.evil.example', '[::1', 'LOCALHOST', null, 'dup']) : rng.pick([`127.0.0.1:${port}`, `localhost:${port}`, '127.0.0.1', `[::1]:${port}`]);
  if (host === 'dup') headers.push(`Host: 127.0.0.1:${port}`, `Host: ${rng.pick(['evil.example', `127.0.0.1:${port}`])}`);
  else if (host !== null) headers.push(`Host: ${host}`);
  if (has('origin')) headers.push(`Origin: ${rng.pick([`http://127.0.0.1:${port}`, `http://localhost:${port}`, 'null', 'https://evil.example', 'file://', 'http://[::1', randomText(rng, 30)])}`);
  if (has('content type')) headers.push(`Content-Type: ${rng.pick(CONTENT_TYPES)}`);
  else if (wantsSdp) headers.push(`Content-Type: ${path.includes('/whep/') ? 'application/trickle-ice-sdpfrag' : 'application/sdp'}`);
  if (has('authorization')) headers.push(`Authorization: ${rng.pick(['Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg==', randomText(rng, 40)])}`);
  if (has('connection')) headers.push(rng.pick(['Connection: close', 'Connection: keep-alive', 'Connection: Upgrade', 'Expect: 100-continue', 'Expect: nonsense']));
  if (has('upgrade')) {
    headers.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Version: ${rng.pick(['13', '13', '8', 'x'])}`);
    if (rng.chance(0.8)) headers.push(`Sec-WebSocket-Key: ${rng.pick(['dGhlIHNhbXBsZSBub25jZQ==', 'dGhlIHNhbXBsZSBub25jZQ==', 'short', ''])}`);
  }
  // Framing of the body: honest, unless mutated into lying, negative, doubled or chunked.
  let payload = content;
  if (!has('framing')) {
    if (content.length || rng.chance(0.3)) headers.push(`Content-Length: ${content.length}`);
  } else {
    const framing = rng.int(0, 3);
    if (framing === 0) {
      const lie = rng.pick([content.length + rng.int(1, 100), -1, '1e3', ' 5', 'abc', '99999999999999999999', '0x10', '']);
      headers.push(`Content-Length: ${lie}`);
      if (typeof lie === 'number' && lie > content.length) incomplete = true;
    } else if (framing === 1) {
      headers.push(`Content-Length: ${content.length}`, `Content-Length: ${content.length + 1}`);
    } else if (framing === 2) {
      headers.push(rng.pick(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked, gzip', 'Transfer-Encoding: xchunked']));
      if (rng.chance(0.2)) headers.push(`Content-Length: ${content.length}`);
      const chunked = rng.chance(0.6);
      payload = chunked ? Buffer.concat([Buffer.from(`${content.length.toString(16)}\r\n`), content, Buffer.from('\r\n0\r\n\r\n')]) : Buffer.concat([Buffer.from(rng.pick(['zz\r\n', 'fffffffffffffffff\r\n', '5\r\nab', '-1\r\n'])), content]);
      incomplete = !chunked;
    } else headers.push(`Content-Length: ${content.length}`, 'Transfer-Encoding: chunked');
  }
  if (has('odd header'))
    headers.push(rng.pick([`${token(rng)}: ${randomText(rng, 60)}`, `${randomText(rng, 10)}: x`, ' folded: continuation', 'NoColon', ': empty-name', 'X-Null: a\u0000b', 'X-Latin: \u00ff\u00fe']));
  if (has('huge header')) headers.push(`X-Huge: ${'h'.repeat(rng.pick([8000, 15_000, 17_000, 70_000]))}`);
  if (has('many headers')) for (let i = 0, n = rng.pick([100, 200, 2500]); i < n; i++) headers.push(`X-Many-${i}: ${i}`);
  const text = [`${method} ${path} ${version}`, ...headers].join(eol) + eol + eol;
  const bytes = Buffer.concat([Buffer.from(text, 'latin1'), payload]);
  const what = mutations.size ? [...mutations].join(', ') : 'none';
  return { bytes, input: `[${what}] ${textPreview(text, 160)} + ${payload.length}-byte body`, incomplete, head: method === 'HEAD' };
};

/** A chunked body's content, or null until its last chunk has arrived. */
const dechunk = (bytes: Buffer): Buffer | null => {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = parseInt(bytes.toString('latin1', at, eol), 16);
    if (!(size >= 0)) return Buffer.concat(parts); // not chunked after all: take what there is
    if (size === 0) return Buffer.concat(parts);
    if (bytes.length < eol + 2 + size + 2) return null;
    parts.push(bytes.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
};

interface Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Reads one response from `socket`: by Content-Length, chunked ending, or close. Interim 1xx (but 101) are skipped. */
const readResponse = (socket: net.Socket, head: boolean, onStatus: () => void): Promise<Response | 'closed'> =>
  new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    let parsed: { status: number; headers: Record<string, string>; bodyAt: number } | null = null;
    const check = () => {
      for (;;) {
        if (!parsed) {
          const end = buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          const lines = buffer.toString('latin1', 0, end).split('\r\n');
          const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!)?.[1] ?? 0);
          const headers: Record<string, string> = {};
          for (const line of lines.slice(1)) {
            const colon = line.indexOf(':');
            if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
          }
          onStatus();
          if (status >= 100 && status < 200 && status !== 101) {
            buffer = buffer.subarray(end + 4);
            continue;
          }
          parsed = { status, headers, bodyAt: end + 4 };
        }
        const { status, headers, bodyAt } = parsed;
        const rest = buffer.subarray(bodyAt);
        if (status === 101 || head || status === 204 || status === 304) return resolve({ status, headers, body: Buffer.alloc(0) });
        if (headers['content-length'] !== undefined) {
          const length = Number(headers['content-length']);
          if (rest.length >= length) return resolve({ status, headers, body: rest.subarray(0, length) });
          return;
        }
        if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
          const whole = dechunk(rest);
          if (whole) return resolve({ status, headers, body: whole });
        }
        return;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      check();
    });
    socket.on('close', () => {
      if (parsed) resolve({ status: parsed.status, headers: parsed.headers, body: buffer.subarray(parsed.bodyAt) });
      else resolve('closed');
    });
  });

/** Sends case `index` and records its answer. */
const runHttpCase = async (ctx: FuzzContext, index: number): Promise<void> => {
  const c = httpCase(caseRng(ctx.seed, 'http', index), ctx.port);
  ctx.inFlight.set(`http:${index}`, c.input);
  const socket = net.connect(ctx.port, '127.0.0.1');
  socket.on('error', () => undefined);
  let answered = false;
  const response = readResponse(socket, c.head, () => (answered = true));
  let leftAt: number | null = null;
  socket.write(c.bytes);
  if (c.incomplete) {
    // Give the server a moment to answer early (405, 415…); then leave, as a client that lied would.
    setTimeout(() => {
      if (!answered) {
        leftAt = performance.now();
        socket.end();
      }
    }, 300);
  }
  const outcome = await Promise.race([response, new Promise<'hang'>((r) => setTimeout(() => r('hang'), HTTP_HANG_MS))]);
  socket.destroy();
  ctx.inFlight.delete(`http:${index}`);
  if (ctx.stopped()) return;
  if (outcome === 'hang') return ctx.fail({ kind: 'hang', target: 'http', index, input: c.input, what: `no status line within ${HTTP_HANG_MS} ms${leftAt ? ' (the client had left)' : ''}` });
  if (outcome === 'closed') {
    if (c.incomplete && leftAt) return ctx.tally.answer('http', 'closed after the client left mid-body', c.input);
    const request = c.bytes.toString('latin1', 0, 200);
    if (/^(POST|PATCH) \/whep/.test(request) && c.bytes.length - c.bytes.indexOf('\r\n\r\n') > MAX_SDP_BYTES) {
      ctx.tally.find(OVERSIZED_BODY_CLOSED, c.input);
      return ctx.tally.answer('http', 'closed (WHEP body over 64 KiB)', c.input);
    }
    return ctx.fail({ kind: 'no-reason', target: 'http', index, input: c.input, what: 'the connection closed without a status line' });
  }
  const { status, headers, body } = outcome;
  const text = body.toString('utf8');
  if (status >= 500) {
    if (status === 503 && /viewer limit/.test(text)) {
      ctx.tally.find('http 503 when the viewer limit is reached (documented; a 5xx all the same)', c.input);
      return ctx.tally.answer('http', '503 viewer limit', c.input);
    }
    return ctx.fail({ kind: 'server-error', target: 'http', index, input: c.input, what: `HTTP ${status}: ${textPreview(text, 300)}` });
  }
  if (status === 201 && headers.location) {
    // An offer that happened to be valid: leave no viewer behind.
    await fetch(`${ctx.url}${headers.location}`, { method: 'DELETE' }).catch(() => undefined);
  }
  if (status >= 400) {
    const kind = /json/.test(headers['content-type'] ?? '') ? 'json' : body.length ? 'text' : 'no body';
    if (!body.length && !c.head) ctx.tally.find(`http ${status} with no body`, c.input);
    if (kind === 'json' && !c.head) {
      let reason: unknown;
      try {
        const error = (JSON.parse(text) as { error?: unknown }).error;
        reason = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error; // /mcp answers a JSON-RPC error
      } catch {
        reason = undefined;
      }
      if (typeof reason !== 'string' || !reason.trim()) return ctx.fail({ kind: 'no-reason', target: 'http', index, input: c.input, what: `HTTP ${status} JSON without an "error": ${textPreview(text, 200)}` });
    }
    return ctx.tally.answer('http', `${status} ${kind}`, c.input);
  }
  ctx.tally.answer('http', `${status}`, c.input);
};

/** Every other HTTP case is an API case (fuzz-api.ts): honest framing, hostile JSON on the API's routes and /mcp. */
const isApiCase = (index: number) => index % 2 === 1;

/** Runs the HTTP cases `indices` (API cases among them), `concurrency` at a time. */
export const runHttpCases = async (ctx: FuzzContext, indices: readonly number[], { concurrency = 4 } = {}): Promise<void> => {
  const queue = [...indices];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = queue.shift(); index !== undefined && !ctx.stopped(); index = queue.shift()) await (isApiCase(index) ? runApiCase(ctx, index) : runHttpCase(ctx, index));
    }),
  );
};

export const describeHttpCase = (seed: number, index: number, port: number): string =>
  isApiCase(index) ? describeApiCase(apiCase(caseRng(seed, 'api', index))) : httpCase(caseRng(seed, 'http', index), port).input;
