/**
 * API fuzz cases (issue 17's routes; every other HTTP case, see fuzz-http.ts): honest HTTP framing
 * (fetch) with hostile content — JSON bodies random, mutated from valid ones, huge, deeply nested —
 * on POST /api/chat (also streamed), /api/directives, /api/record, /api/source; odd queries and
 * methods on GET /api/state, /api/vocabulary, /api/character, /api/openapi.json, /api/record,
 * /api/sources and /api/events; and JSON-RPC on /mcp, without an MCP session and inside one
 * (initialize, then a mutated request; the session is ended after). Every answer must be a status
 * with a reason (`error`, or a JSON-RPC error on /mcp) or a success, never a 5xx or silence. Event
 * streams that never end are read briefly and then closed by the fuzzer; some streamed chat turns
 * are left after their first piece (a client gone mid-turn). Recordings and source switches a case
 * starts are undone after it.
 */
import type { FuzzContext } from './fuzz-report.js';
import { MAX_EVENT_CLIENTS } from '../app/api/event-stream.js';
import { MAX_MCP_SESSIONS } from '../app/mcp/http.js';
import { caseRng, mutateText, NASTY_STRINGS, randomText, textPreview, type Rng } from './fuzz-rng.js';

/** A request with no complete answer after this long is a hang (as fuzz-http.ts's HTTP_HANG_MS). */
const HTTP_HANG_MS = 10_000;
/** The API's body limit (app/api/schemas.ts MAX_BODY_BYTES). */
const MAX_BODY = 64 * 1024;
/** A stream that never ends by itself (GET /api/events, GET /mcp) is read this long, then closed by the fuzzer. */
const STREAM_READ_MS = 300;

const ACTIONS = ['wave', 'nod', 'jump', 'sit', 'stand', 'step_left', 'fly', 'WAVE', ''];
const EXPRESSIONS = ['happy', 'sad', 'neutral', 'angry', 'smug', ''];
const GAZE = ['camera', 'user', 'left', 'right', 'up', 'down', 'away', 'behind'];
const LINES = ['wave', 'nod twice', 'wave twice and then look happy', 'sit down', 'how are you?', 'jump 10 times', 'step left', 'look away'];
const TOOLS = ['say', 'act', 'get_state', 'list_vocabulary', 'set_character', 'nope', ''];
const RPC_METHODS = ['initialize', 'tools/list', 'tools/call', 'resources/list', 'resources/read', 'ping', 'notifications/initialized', 'prompts/list', 'completion/complete', 'logging/setLevel', 'nope', ''];

/** Any JSON value, nested up to `depth`. */
const randomJson = (rng: Rng, depth = 3): unknown => {
  const roll = rng.int(0, depth > 0 ? 9 : 5);
  if (roll === 0) return null;
  if (roll === 1) return rng.chance(0.5);
  if (roll === 2) return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 5, 10, 11, 0.1, 4, 600_001]);
  if (roll < 6) return rng.chance(0.3) ? rng.pick(NASTY_STRINGS) : randomText(rng, 80);
  if (roll < 8) return Array.from({ length: rng.int(0, 5) }, () => randomJson(rng, depth - 1));
  return Object.fromEntries(Array.from({ length: rng.int(0, 5) }, () => [rng.pick(['text', 'action', 'name', '__proto__', 'constructor', 'id', 'config', randomText(rng, 12)]), randomJson(rng, depth - 1)]));
};

/** Nesting far deeper than any schema: `[[[[…]]]]` or `{"a":{"a":…}}`, up to the body limit. */
const deep = (rng: Rng, key: string): string => {
  const n = rng.pick([100, 1000, 10_000, 20_000]);
  return rng.chance(0.5) ? `{"${key}":${'['.repeat(n)}${']'.repeat(n)}}` : `{"${key}":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
};

/** A valid body, then perhaps mutated in its values, its text, or replaced. */
const shaped = (rng: Rng, valid: () => unknown, key: string): string => {
  const roll = rng.int(0, 9);
  if (roll < 3) return JSON.stringify(valid());
  if (roll < 5) {
    // One field swapped for anything, or one added.
    const value = valid() as Record<string, unknown>;
    const keys = Object.keys(value);
    if (keys.length && rng.chance(0.6)) value[rng.pick(keys)] = randomJson(rng);
    else value[rng.pick(['extra', '__proto__', 'constructor', 'prototype', randomText(rng, 10)])] = randomJson(rng);
    return JSON.stringify(value);
  }
  if (roll < 6) return mutateText(rng, JSON.stringify(valid()));
  if (roll < 7) return deep(rng, key);
  if (roll < 8) return JSON.stringify({ [key]: 'x'.repeat(rng.pick([2000, 2001, MAX_BODY - 20, MAX_BODY])) });
  if (roll < 9) return JSON.stringify(randomJson(rng));
  return rng.pick(['', 'null', '[]', '{}', '"text"', '{"text":', '\u0000', '{"text":"wave"}{"text":"nod"}', '{"text":"\\ud800"}']);
};

const directive = (rng: Rng): Record<string, unknown> => {
  const d: Record<string, unknown> = {};
  if (rng.chance(0.7)) d.action = { name: rng.pick(ACTIONS), ...(rng.chance(0.3) ? { repeat: rng.int(0, 12) } : {}), ...(rng.chance(0.2) ? { speed: rng.pick([0, 0.25, 1, 4, 5]) } : {}), ...(rng.chance(0.2) ? { queue: true } : {}) };
  if (rng.chance(0.4)) d.expression = { name: rng.pick(EXPRESSIONS), intensity: rng.pick([0, 0.5, 1, 1.5, -1]), ...(rng.chance(0.2) ? { holdMs: rng.pick([0, 1000, 600_001]) } : {}) };
  if (rng.chance(0.3)) d.gaze = rng.pick(GAZE);
  if (rng.chance(0.2)) d.dialogue = randomText(rng, 60);
  if (rng.chance(0.1)) d.id = randomText(rng, 20);
  return d;
};

const rpc = (rng: Rng, method: string, params?: unknown) => ({ jsonrpc: '2.0', id: rng.pick([1, 2, 'a', 'b', 0, 7, null, -1, 1e20]), method, ...(params === undefined ? {} : { params }) });
const INITIALIZE = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } };

const rpcBody = (rng: Rng): string => {
  const method = rng.pick(RPC_METHODS);
  const params =
    method === 'tools/call'
      ? { name: rng.pick(TOOLS), arguments: rng.chance(0.6) ? { text: rng.pick(LINES), id: rng.pick(['aria', 'kai', 'nope']), ...directive(rng) } : randomJson(rng) }
      : method === 'resources/read'
        ? { uri: rng.pick(['persona://vocabulary', 'persona://character', 'persona://nope', 'file:///etc/passwd', randomText(rng, 30)]) }
        : method === 'initialize'
          ? INITIALIZE.params
          : rng.chance(0.5)
            ? randomJson(rng)
            : undefined;
  const valid = () => (rng.chance(0.1) ? [rpc(rng, method, params), rpc(rng, 'ping')] : rpc(rng, method, params));
  return shaped(rng, valid, 'params');
};

const session = (rng: Rng): string => (rng.chance(0.8) ? '' : `session=${encodeURIComponent(rng.pick(['default', 'nosuch', '', 'x'.repeat(300), randomText(rng, 20).replace(/[\ud800-\udfff]/g, '?')]))}`);
const query = (...parts: string[]) => {
  const q = parts.filter(Boolean).join('&');
  return q ? `?${q}` : '';
};

export interface ApiRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Inside a fresh MCP session: initialize first, send this with its Mcp-Session-Id, end it after. */
  inMcpSession?: boolean;
  /** A streamed answer is left after its first piece: the client goes away mid-turn. */
  leaveEarly?: boolean;
}

/** Case `index` of the API cases: one request (on /mcp perhaps inside a session of its own). */
export const apiCase = (rng: Rng): ApiRequest => {
  const json = { 'content-type': rng.chance(0.9) ? 'application/json' : rng.pick(['text/plain', 'application/json; charset=utf-8', 'application/jsonx', '']) };
  const kind = rng.int(0, 13);
  if (kind < 3) {
    const streamed = rng.chance(0.4);
    const byAccept = streamed && rng.chance(0.3);
    const stream = streamed && !byAccept ? rng.pick(['stream=1', 'stream=1', 'stream=0', 'stream=yes']) : '';
    const headers: Record<string, string> = byAccept ? { ...json, accept: 'text/event-stream' } : json;
    return { method: 'POST', path: `/api/chat${query(stream, session(rng))}`, headers, body: shaped(rng, () => ({ text: rng.pick(LINES) }), 'text'), leaveEarly: streamed && rng.chance(0.3) };
  }
  if (kind < 5) return { method: 'POST', path: `/api/directives${query(session(rng))}`, headers: json, body: shaped(rng, () => directive(rng), 'action') };
  if (kind < 7) {
    const path = rng.pick(['/api/state', '/api/vocabulary', '/api/character', '/api/openapi.json', '/api/record', '/api/sources', '/api/events']);
    const method = rng.pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
    const extra = rng.chance(0.2) ? `${rng.pick(['session', 'stream', 'wait', 'limit', randomText(rng, 5)])}=${encodeURIComponent(randomText(rng, 20).replace(/[\ud800-\udfff]/g, '?'))}` : '';
    return { method, path: `${path}${query(session(rng), extra)}`, headers: method === 'POST' || method === 'PUT' ? json : {}, body: method === 'POST' || method === 'PUT' ? JSON.stringify(randomJson(rng)) : undefined };
  }
  if (kind < 8) return { method: 'POST', path: `/api/record${query(session(rng))}`, headers: json, body: shaped(rng, () => ({ action: rng.pick(['start', 'stop']) }), 'action') };
  if (kind < 9) {
    const wait = rng.chance(0.3) ? rng.pick(['wait=1', 'wait=0', 'wait=2']) : '';
    const valid = () => ({ id: rng.pick(['puppet', 'control', 'diffusion', 'nope']), ...(rng.chance(0.5) ? { config: randomJson(rng, 2) } : {}) });
    return { method: 'POST', path: `/api/source${query(wait, session(rng))}`, headers: json, body: shaped(rng, valid, 'config') };
  }
  // /mcp: JSON-RPC without a session, inside one, or with odd methods and session ids.
  const mcpHeaders = { ...json, accept: rng.chance(0.9) ? 'application/json, text/event-stream' : rng.pick(['application/json', 'text/event-stream', '*/*']) };
  const roll = rng.int(0, 9);
  // Inside a session: a JSON-RPC request, its server-to-client stream (GET: read, then closed by the fuzzer), or its end.
  if (roll < 4) return { method: rng.pick(['POST', 'POST', 'POST', 'GET', 'DELETE']), path: `/mcp${query(session(rng))}`, headers: mcpHeaders, body: rpcBody(rng), inMcpSession: true };
  if (roll < 7) return { method: 'POST', path: `/mcp${query(session(rng))}`, headers: mcpHeaders, body: rng.chance(0.3) ? JSON.stringify(INITIALIZE) : rpcBody(rng) };
  const id = rng.pick(['00000000-0000-0000-0000-000000000000', '', 'x'.repeat(200), randomText(rng, 20).replace(/[^\x20-\x7e]/g, '?')]);
  return { method: rng.pick(['GET', 'DELETE', 'POST', 'PUT']), path: '/mcp', headers: { ...mcpHeaders, ...(rng.chance(0.7) ? { 'mcp-session-id': id } : {}) }, body: rng.chance(0.5) ? rpcBody(rng) : undefined };
};

export const describeApiCase = (c: ApiRequest): string =>
  `${c.inMcpSession ? '[in an MCP session] ' : ''}${c.leaveEarly ? '[leaves after the first piece] ' : ''}${c.method} ${textPreview(c.path, 80)} ${c.headers['content-type'] !== undefined ? `(${c.headers['content-type'] || 'no type'}) ` : ''}${c.body === undefined ? '' : `${c.body.length} chars: ${textPreview(c.body, 100)}`}`;

interface Answer {
  status: number;
  type: string;
  body: string;
  sessionId: string | null;
  /** The fuzzer closed an event stream after its first event. */
  closedStream: boolean;
}

/**
 * One request. A stream that ends by itself (a streamed chat turn, an MCP answer) is read to its end;
 * one that never does (GET /api/events, GET /mcp) is read for STREAM_READ_MS and closed by the fuzzer.
 */
const send = async (url: string, c: { method: string; headers: Record<string, string>; body?: string; leaveEarly?: boolean }, signal: AbortSignal): Promise<Answer> => {
  const response = await fetch(url, { method: c.method, headers: c.headers, body: c.method === 'GET' || c.method === 'HEAD' ? undefined : c.body, signal, redirect: 'manual' });
  const type = response.headers.get('content-type') ?? '';
  const sessionId = response.headers.get('mcp-session-id');
  if (!/text\/event-stream/.test(type) || !response.body) return { status: response.status, type, body: await response.text(), sessionId, closedStream: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const until = c.method === 'GET' ? performance.now() + STREAM_READ_MS : Infinity; // else: the hang timer's abort
  for (;;) {
    const next = await Promise.race([reader.read(), new Promise<'later'>((r) => setTimeout(() => r('later'), Math.min(HTTP_HANG_MS, Math.max(0, until - performance.now()))))]);
    if (next === 'later') {
      await reader.cancel().catch(() => undefined);
      return { status: response.status, type, body: text, sessionId, closedStream: true };
    }
    if (next.done) return { status: response.status, type, body: text, sessionId, closedStream: false };
    text += decoder.decode(next.value, { stream: true });
    if (c.leaveEarly) {
      await reader.cancel().catch(() => undefined);
      return { status: response.status, type, body: text, sessionId, closedStream: true };
    }
  }
};

/** Where a status carries its reason: `error` (the API), or a JSON-RPC error (MCP); null when it has none. */
const reasonOf = (answer: Answer): string | null => {
  const events = /^data: (.*)$/m.exec(answer.body);
  let body: unknown;
  try {
    body = JSON.parse(events && /event-stream/.test(answer.type) ? events[1]! : answer.body);
  } catch {
    return null;
  }
  const first = Array.isArray(body) ? body[0] : body;
  const reason = (first as { error?: unknown } | null)?.error;
  if (typeof reason === 'string') return reason.trim() || null;
  const message = (reason as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message.trim() ? message : null;
};

const routeOf = (path: string) => path.split('?')[0]!;

/** Runs API case `index` (the HTTP target's index) and records its answer under the HTTP target. */
export const runApiCase = async (ctx: FuzzContext, index: number): Promise<void> => {
  const c = apiCase(caseRng(ctx.seed, 'api', index));
  const input = describeApiCase(c);
  ctx.inFlight.set(`http:${index}`, input);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HTTP_HANG_MS);
  let answer: Answer | 'hang' | Error;
  let mcpSession: string | null = null;
  try {
    if (c.inMcpSession) {
      const init = await send(`${ctx.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(INITIALIZE) }, abort.signal);
      mcpSession = init.sessionId;
      if (mcpSession) {
        await send(`${ctx.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': mcpSession }, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' }, abort.signal);
        c.headers['mcp-session-id'] = mcpSession;
      }
    }
    answer = await send(`${ctx.url}${c.path}`, c, abort.signal);
  } catch (error) {
    answer = abort.signal.aborted ? 'hang' : (error as Error);
  } finally {
    clearTimeout(timer);
  }
  // Undo what the case started: its MCP session (and one it opened itself), a recording, a source switch.
  const cleanup: Promise<unknown>[] = [];
  const opened = typeof answer === 'object' && !(answer instanceof Error) ? answer.sessionId : null;
  for (const id of new Set([mcpSession, opened])) if (id) cleanup.push(fetch(`${ctx.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': id } }).then((r) => r.arrayBuffer()));
  if (typeof answer === 'object' && !(answer instanceof Error) && answer.status < 300) {
    const route = routeOf(c.path);
    if (route === '/api/record' && c.method === 'POST' && /"recording":true/.test(answer.body)) cleanup.push(post(ctx.url, `/api/record${c.path.slice(route.length)}`, { action: 'stop' }));
    if (route === '/api/source' && !/"active":"puppet"/.test(answer.body)) cleanup.push(post(ctx.url, `/api/source?wait=1${c.path.includes('session=') ? `&${c.path.split('?')[1]!.split('&').find((p) => p.startsWith('session='))}` : ''}`, { id: 'puppet' }));
  }
  await Promise.all(cleanup.map((p) => p.catch(() => undefined)));
  ctx.inFlight.delete(`http:${index}`);
  if (ctx.stopped()) return;
  const route = `${c.inMcpSession ? 'mcp-session ' : ''}${c.method} ${routeOf(c.path)}`;
  if (answer === 'hang') return ctx.fail({ kind: 'hang', target: 'http', index, input, what: `no complete answer within ${HTTP_HANG_MS} ms` });
  if (answer instanceof Error) return ctx.fail({ kind: 'no-reason', target: 'http', index, input, what: `the request failed without an answer: ${(answer.cause as Error | undefined)?.message ?? answer.message}` });
  const { status } = answer;
  if (status >= 500) return ctx.fail({ kind: 'server-error', target: 'http', index, input, what: `HTTP ${status}: ${textPreview(answer.body, 300)}` });
  if (status >= 400 && c.method !== 'HEAD') {
    const reason = reasonOf(answer);
    if (reason === null) return ctx.fail({ kind: 'no-reason', target: 'http', index, input, what: `HTTP ${status} without a reason: ${textPreview(answer.body, 200)}` });
  }
  ctx.tally.answer('http', `api ${route} ${status}${answer.closedStream ? ' (stream, closed by the fuzzer)' : /event-stream/.test(answer.type) ? ' (stream)' : ''}`, input);
};

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.arrayBuffer());

/**
 * After the run: how many event streams and MCP sessions the cases left open on the server, seen from
 * outside (opened until the server refuses: a stream or session a case left behind takes a place).
 */
export const apiLeftOpen = async (url: string): Promise<{ eventStreamsLeft: number; mcpSessionsLeft: number }> => {
  const streams: AbortController[] = [];
  let events = 0;
  try {
    for (let i = 0; i < MAX_EVENT_CLIENTS; i++) {
      const abort = new AbortController();
      streams.push(abort);
      const response = await fetch(`${url}/api/events`, { signal: abort.signal });
      if (response.status !== 200) break;
      events++;
    }
  } finally {
    for (const abort of streams) abort.abort();
  }
  const ids: string[] = [];
  for (let i = 0; i < MAX_MCP_SESSIONS; i++) {
    const response = await fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(INITIALIZE) });
    const id = response.headers.get('mcp-session-id');
    await response.arrayBuffer();
    if (response.status !== 200 || !id) break;
    ids.push(id);
  }
  await Promise.all(ids.map((id) => fetch(`${url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': id } }).then((r) => r.arrayBuffer())));
  return { eventStreamsLeft: MAX_EVENT_CLIENTS - events, mcpSessionsLeft: MAX_MCP_SESSIONS - ids.length };
};
