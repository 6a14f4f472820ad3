/**
 * The REST API against a real server on a loopback port: each route with good input (what a program
 * sees happen to her) and bad input (the status and a reason that says what to fix).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';
import { MAX_EVENT_CLIENTS } from '../api/event-stream.js';
import { SseReader } from './sse-reader.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    width: 128,
    height: 128,
    voice: 'off',
    sessions: [
      { name: 'default', character: 'aria' },
      { name: 'k', character: 'kai' },
    ],
    persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }),
  });
});

afterAll(async () => {
  await server?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const state = async (session = 'default') => (await (await fetch(`${server.url}/api/state?session=${session}`)).json()) as { action: string; expression: string; posture: string; tick: number };

const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
};

const settle = async (session = 'default') => {
  await post(`/api/directives?session=${session}`, { action: { name: 'stop' } });
  await until(() => state(session), (s) => s.action === 'idle' && s.posture === 'standing', 5000);
};

describe('POST /api/chat', () => {
  it('runs the UI\'s chat turn: a reply, the directives sent, and her state changes', async () => {
    const res = await post('/api/chat', { text: 'wave twice' });
    expect(res.status).toBe(200);
    const turn = (await res.json()) as { reply: string; provider: string; directives: { directive: { action?: { name: string; repeat?: number } } }[] };
    expect(turn.provider).toBe('embedded');
    expect(turn.reply.length).toBeGreaterThan(0);
    expect(turn.directives.map((d) => d.directive.action)).toContainEqual(expect.objectContaining({ name: 'wave', repeat: 2 }));
    expect((await until(state, (s) => s.action === 'wave')).action).toBe('wave');
    // The line is in the session's history, as a line typed in the UI would be.
    const history = (await (await fetch(`${server.url}/api/history?limit=5`)).json()) as { messages: { role: string; content: string }[] };
    expect(history.messages.map((m) => m.content)).toContain('wave twice');
    await settle();
  });

  it('streams the turn as Server-Sent Events with ?stream=1', async () => {
    const res = await post('/api/chat?stream=1', { text: 'nod' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = new SseReader(res);
    await reader.finished();
    const names = reader.events.map((e) => e.event);
    expect(names).toContain('directive');
    expect(names).toContain('reply.chunk');
    expect(names.at(-1)).toBe('reply');
    expect(reader.events.find((e) => e.event === 'directive')!.data.directive.action.name).toBe('nod');
    expect(reader.events.at(-1)!.data.text.length).toBeGreaterThan(0);
    await settle();
  });

  it('refuses bad input with a status and a reason that says what to fix', async () => {
    const get = await fetch(`${server.url}/api/chat`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    const plain = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'wave' });
    expect(plain.status).toBe(415);
    expect((await plain.json()).error).toMatch(/content-type: application\/json/);

    const notJson = await post('/api/chat', '{"text": wave}');
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toMatch(/not valid JSON/);

    const empty = await post('/api/chat', { text: '' });
    expect(empty.status).toBe(422);
    expect((await empty.json()).issues).toEqual([expect.objectContaining({ path: 'text' })]);

    const long = await post('/api/chat', { text: 'x'.repeat(2001) });
    expect(long.status).toBe(422);
    expect((await long.json()).error).toMatch(/text: .*2000/);

    const extra = await post('/api/chat', { text: 'wave', mood: 'sad' });
    expect(extra.status).toBe(422);
    expect((await extra.json()).error).toMatch(/mood/);

    const wrongType = await post('/api/chat', { text: 42 });
    expect(wrongType.status).toBe(422);
    expect((await wrongType.json()).issues[0].path).toBe('text');

    const huge = await post('/api/chat', { text: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error).toMatch(/limit is 65536 bytes/);

    const unknown = await post('/api/chat?session=nobody', { text: 'wave' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/unknown session "nobody".*"default", "k"/);

    const badQuery = await post('/api/chat?stream=yes', { text: 'wave' });
    expect(badQuery.status).toBe(400);
    expect((await badQuery.json()).error).toMatch(/stream/);

    // The session went on.
    expect((await post('/api/chat', { text: 'hi!' })).status).toBe(200);
  });

  it('limits chat lines from programs per session with 429 and Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 14 }, () => post('/api/chat?session=k', { text: 'hello' })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    const limited = answers.find((r) => r.status === 429)!;
    expect(limited).toBeDefined();
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await limited.json()).error).toMatch(/too many chat lines/);
  });

  it('refuses a cross-site page (Origin) but not programs', async () => {
    const res = await post('/api/chat', { text: 'wave' }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatch(/evil\.example may not use this API/);
  });
});

describe('POST /api/directives', () => {
  it('queues a valid directive and answers with the engine\'s first word on it', async () => {
    const res = await post('/api/directives', { id: 'j1', action: { name: 'jump' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { directive: { id: string; source: string }; outcome: { type: string; action: string; directiveId: string } };
    expect(body.directive).toMatchObject({ id: 'j1', source: 'script' });
    expect(body.outcome).toMatchObject({ type: 'action.started', action: 'jump', directiveId: 'j1' });
    expect((await until(state, (s) => s.action === 'jump')).action).toBe('jump');
    await settle();

    const face = await post('/api/directives', { expression: { name: 'surprised', intensity: 0.9 } });
    expect(face.status).toBe(200);
    expect((await face.json()).outcome).toBeNull();
    expect((await until(state, (s) => s.expression === 'surprised')).expression).toBe('surprised');
  });

  it('carries a refusal with its reason', async () => {
    await post('/api/directives', { action: { name: 'sit_down' } });
    await until(state, (s) => s.posture === 'sitting' && s.action === 'idle', 5000);
    const res = await post('/api/directives', { action: { name: 'step_left' } });
    const body = (await res.json()) as { outcome: { type: string; reason: string } };
    expect(body.outcome.type).toBe('action.refused');
    expect(body.outcome.reason).toMatch(/sitting/);
    await post('/api/directives', { action: { name: 'stand_up' } });
    await settle();
  });

  it('answers 422 with the reason for names and values the character does not know', async () => {
    const unknown = await post('/api/directives', { action: { name: 'fly' } });
    expect(unknown.status).toBe(422);
    const body = (await unknown.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toMatch(/action\.name: unknown action "fly"; known: .*wave/);
    expect(body.issues[0]!.path).toBe('action.name');

    const intensity = await post('/api/directives', { expression: { name: 'happy', intensity: 2 } });
    expect(intensity.status).toBe(422);
    expect((await intensity.json()).error).toMatch(/expression\.intensity/);

    const nothing = await post('/api/directives', {});
    expect(nothing.status).toBe(422);
    expect((await nothing.json()).error).toMatch(/asks for nothing/);

    const extra = await post('/api/directives', { action: { name: 'wave', loudly: true } });
    expect(extra.status).toBe(422);
    expect((await extra.json()).error).toMatch(/loudly/);

    const array = await post('/api/directives', [{ action: { name: 'wave' } }]);
    expect(array.status).toBe(422);

    // Kai's session checks against Kai's vocabulary, and its state is its own.
    const kai = await post('/api/directives?session=k', { gaze: 'left' });
    expect(kai.status).toBe(200);
    expect((await state('k')).action).toBe('idle');
  });
});

describe('GET routes', () => {
  it('state, vocabulary and the character card, per session; HEAD; 405 with Allow', async () => {
    const s = await state('k');
    expect(s).toMatchObject({ character: 'kai', posture: expect.any(String), tick: expect.any(Number) });

    const vocabulary = (await (await fetch(`${server.url}/api/vocabulary`)).json()) as { character: string; actions: { name: string; synonyms: string[] }[]; expressions: string[]; gaze: string[] };
    expect(vocabulary.character).toBe('aria');
    expect(vocabulary.actions.find((a) => a.name === 'wave')!.synonyms).toContain('wave');
    expect(vocabulary.expressions).toContain('happy');
    expect(vocabulary.gaze).toContain('camera');

    const card = (await (await fetch(`${server.url}/api/character?session=k`)).json()) as { spec: string; data: { name: string; extensions: Record<string, { id: string }> } };
    expect(card.spec).toBe('chara_card_v2');
    expect(card.data.name).toBe('Kai');
    expect(card.data.extensions['persona-engine']!.id).toBe('kai');

    const head = await fetch(`${server.url}/api/state`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const post405 = await post('/api/state', {});
    expect(post405.status).toBe(405);
    expect(post405.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${server.url}/api/vocabulary?session=zz`)).status).toBe(404);
  });
});

describe('GET /api/events', () => {
  it('streams the state, engine events and every chat turn, whoever sent it', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/events`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = new SseReader(res);
    const first = await events.waitFor(() => true);
    expect(first.event).toBe('state');
    expect(first.data.state.character).toBe('aria');

    await post('/api/directives', { id: 'sse-1', action: { name: 'nod' } });
    const started = await events.waitFor((e) => e.event === 'event' && e.data.event.directiveId === 'sse-1');
    expect(started.data.event).toMatchObject({ type: 'action.started', action: 'nod' });
    await events.waitFor((e) => e.event === 'state' && e.data.state.action === 'nod');

    await post('/api/chat', { text: 'look happy' });
    const reply = await events.waitFor((e) => e.event === 'reply' && e.data.inReplyTo === 'look happy');
    expect(reply.data.text.length).toBeGreaterThan(0);
    await events.waitFor((e) => e.event === 'event' && e.data.event.type === 'expression.changed' && e.data.event.expression === 'happy');
    controller.abort();
    await settle();
  });

  it('takes a bounded number of streams per session and answers the rest 503 with a reason', async () => {
    const controllers = Array.from({ length: MAX_EVENT_CLIENTS }, () => new AbortController());
    const open = await Promise.all(controllers.map((c) => fetch(`${server.url}/api/events?session=k`, { signal: c.signal })));
    expect(open.every((r) => r.status === 200)).toBe(true);
    const refused = await fetch(`${server.url}/api/events?session=k`);
    expect(refused.status).toBe(503);
    expect((await refused.json()).error).toMatch(/event streams open already/);
    for (const c of controllers) c.abort();
    // Closed streams free their places.
    const again = await until(
      async () => {
        const c = new AbortController();
        const r = await fetch(`${server.url}/api/events?session=k`, { signal: c.signal });
        c.abort();
        return r.status;
      },
      (status) => status === 200,
    );
    expect(again).toBe(200);
  });
});

describe('token and shutdown', () => {
  it('needs the token on the API and /mcp when the server has one, and ends event streams cleanly on close', async () => {
    const token = 'a-test-token-of-16-chars';
    const guarded = await startServer({ port: 0, width: 64, height: 64, voice: 'off', token, persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
    try {
      expect((await fetch(`${guarded.url}/api/state`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/mcp`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${guarded.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token-0000000' }, body: '{"text":"wave"}' })).status).toBe(401);
      expect((await fetch(`${guarded.url}/api/state`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const res = await fetch(`${guarded.url}/api/events?token=${token}`);
      expect(res.status).toBe(200);
      const events = new SseReader(res);
      await events.waitFor((e) => e.event === 'state');
      await guarded.close(); // resolves: the open stream does not hold the server
      await events.finished();
      expect(events.events.at(-1)).toMatchObject({ event: 'bye', data: { reason: expect.stringMatching(/shutting down/) } });
    } finally {
      await guarded.close().catch(() => undefined);
    }
  });
});
