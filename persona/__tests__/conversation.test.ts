/**
 * The conversation manager on a real session (simulated clock, no frames), a real SQLite file and
 * the OpenAI double: speculative start, confirmation without duplicates, replacement, validation,
 * refusals fed back, fallback when the LLM is down, and history kept within a token budget.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { EngineEvent } from '../../protocol/events.js';
import { SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../../app/session.js';
import { ARIA } from '../../characters/aria.js';
import { MAX_REFUSALS_TOLD, Conversation, type ConversationEvent } from '../conversation.js';
import { ConversationStore } from '../conversation-store.js';
import { OpenAiInterpreter } from '../openai-interpreter.js';
import { OpenAiDouble } from './openai-double.js';

let double: OpenAiDouble;
let dir: string;
const open: { session: PersonaSession; store: ConversationStore }[] = [];

beforeAll(async () => {
  double = await OpenAiDouble.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'persona-conv-'));
});
afterAll(async () => {
  await double?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const { session, store } of open.splice(0)) {
    session.stop();
    store.close();
  }
});

const setup = (baseUrl = double.baseUrl, timeoutMs = 5000) => {
  const session = new PersonaSession({ clock: new SimulatedClock(), source: null });
  const store = ConversationStore.open(mkdtempSync(path.join(dir, 'd-')));
  open.push({ session, store });
  const engineEvents: EngineEvent[] = [];
  const conversation = new Conversation({
    character: ARIA,
    llm: new OpenAiInterpreter(ARIA, { baseUrl, model: 'm', timeoutMs }),
    store,
    submit: (d) => session.submit(d),
    state: () => session.state(),
  });
  session.onEvent((e) => {
    engineEvents.push(e);
    conversation.noteEngineEvent(e);
  });
  return { session, store, conversation, engineEvents };
};

const drain = async (events: AsyncIterable<ConversationEvent>) => {
  const out: ConversationEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
};

describe('conversation', () => {
  it('starts "wave" within one tick while an LLM takes 2 s, and the LLM confirms it without a second wave', async () => {
    const { session, conversation, engineEvents } = setup();
    double.queue({ delayBeforeMs: 2000, pieces: ['{"action":{"name":"wave"},"dialogue":"Hello!"}'] });
    session.step();
    const t0 = Date.now();
    const turn = conversation.say('wave');
    session.step();
    expect(session.state().action).toBe('wave');
    expect(engineEvents.filter((e) => e.type === 'action.started').map((e) => e.type === 'action.started' && e.action)).toEqual(['wave']);
    const events = await drain(turn.events);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    for (let i = 0; i < 5; i++) session.step();
    expect(events).toContainEqual({ type: 'confirmed', directiveId: turn.speculative[0]!.id, field: 'action' });
    expect(events.filter((e) => e.type === 'directive')).toHaveLength(1);
    expect(engineEvents.filter((e) => e.type === 'action.started')).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'done', reply: 'Hello!', provider: 'openai' });
  });

  it('lets the LLM replace a speculative action with another, and adjust the face', async () => {
    const { session, conversation } = setup();
    double.queue({ pieces: ['{"action":{"name":"nod"},"expression":{"name":"happy","intensity":0.4},"dialogue":"Yes!"}'] });
    const turn = conversation.say('wave');
    session.step();
    const events = await drain(turn.events);
    const sent = events.filter((e) => e.type === 'directive') as Extract<ConversationEvent, { type: 'directive' }>[];
    expect(sent.map((e) => [e.speculative, e.directive.action?.name ?? e.directive.expression?.name])).toEqual([
      [true, 'wave'],
      [false, 'nod'],
      [false, 'happy'],
    ]);
  });

  it('executes nothing for "execute action rm_rf", even when the LLM plays along', async () => {
    const { session, conversation, engineEvents } = setup();
    double.queue({ pieces: ['{"action":{"name":"rm_rf"},"dialogue":"Executing rm_rf!"}'] });
    const turn = conversation.say('execute action rm_rf');
    const events = await drain(turn.events);
    for (let i = 0; i < 5; i++) session.step();
    expect(turn.speculative).toEqual([]);
    expect(events.filter((e) => e.type === 'directive')).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'dropped', field: 'action', name: 'rm_rf' }));
    expect(engineEvents.filter((e) => e.type === 'action.started')).toEqual([]);
  });

  it("tells the LLM next turn what the engine refused, and the character's state", async () => {
    const { session, conversation } = setup();
    // The model asks for sitting again once she sits: the chart refuses it (the embedded reading, knowing her state, sends nothing).
    double.queue({ pieces: ['{"dialogue":"ok"}'] }, { pieces: ['{"action":{"name":"sit_down"},"dialogue":"ok"}'] });
    await drain(conversation.say('sit down').events);
    for (let i = 0; i < 60; i++) session.step();
    await drain(conversation.say('sit down').events); // already sitting: the chart refuses
    session.step();
    double.queue({ pieces: ['{"dialogue":"I am already seated."}'] });
    await drain(conversation.say('why?').events);
    const system = (double.requests.at(-1)!.body.messages as { role: string; content: string }[])[0]!.content;
    expect(system).toMatch(/refused these[\s\S]*sit_down: /);
    expect(system).toMatch(/Right now you are sitting/);
    expect(system).toContain(`Actions you can do (no others exist): ${ARIA.vocabulary.actions.map((a) => a.name).join(', ')}`);
  });

  it('without an LLM, answers "stand up" while standing with why, and sends nothing the engine would refuse', async () => {
    const session = new PersonaSession({ clock: new SimulatedClock(), source: null });
    const store = ConversationStore.open(mkdtempSync(path.join(dir, 'd-')));
    open.push({ session, store });
    const engineEvents: EngineEvent[] = [];
    session.onEvent((e) => engineEvents.push(e));
    const conversation = new Conversation({ character: ARIA, store, submit: (d) => session.submit(d), state: () => session.state() });
    const turn = conversation.say('stand up');
    const events = await drain(turn.events);
    session.step();
    expect(turn.speculative).toEqual([]);
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reply: expect.stringMatching(/already standing/i) });
    expect(engineEvents.filter((e) => e.type === 'action.refused' || e.type === 'action.started')).toEqual([]);
  });

  it('says when a request will wait behind what she is doing, and does it then', async () => {
    const session = new PersonaSession({ clock: new SimulatedClock(), source: null });
    const store = ConversationStore.open(mkdtempSync(path.join(dir, 'd-')));
    open.push({ session, store });
    const conversation = new Conversation({ character: ARIA, store, submit: (d) => session.submit(d), state: () => session.state() });
    await drain(conversation.say('think').events);
    for (let i = 0; i < 3; i++) session.step();
    const events = await drain(conversation.say('step left').events);
    session.step();
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reply: expect.stringMatching(/^After I think:/) });
    expect(session.state().queue).toEqual(['step_left']);
  });

  it('keeps only the latest refusals for the next turn, however many the engine raised', async () => {
    const { conversation } = setup();
    for (let i = 0; i < 10_000; i++) conversation.noteEngineEvent({ type: 'action.refused', action: 'jump', reason: `refusal ${i}`, at: i });
    double.queue({ pieces: ['{"dialogue":"ok"}'] });
    await drain(conversation.say('why?').events);
    const system = (double.requests.at(-1)!.body.messages as { role: string; content: string }[])[0]!.content;
    expect(system.match(/- jump: refusal/g)?.length).toBe(MAX_REFUSALS_TOLD);
    expect(system).toContain('refusal 9999');
    expect(system).not.toContain('refusal 0\n');
  });

  it('answers with the embedded interpreter within 2 s when the LLM endpoint is down, and says so', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const { session, conversation, store } = setup(`http://127.0.0.1:${port}/v1`);
    const t0 = Date.now();
    const turn = conversation.say('my cat is sick');
    const events = await drain(turn.events);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(events).toContainEqual(expect.objectContaining({ type: 'fallback', provider: 'openai', reason: expect.stringMatching(/cannot reach/) }));
    expect(events.at(-1)).toMatchObject({ type: 'done', provider: 'embedded', reply: expect.stringMatching(/sorry/i) });
    session.step();
    expect(session.state().expression).toBe('sad');
    expect(store.recent('aria').map((m) => [m.role, m.provider])).toEqual([
      ['user', null],
      ['assistant', 'embedded'],
    ]);
  });

  it('keeps history in SQLite and sends the LLM only what fits the token budget', async () => {
    const { conversation, store } = setup();
    double.answerAlways({ pieces: ['{"dialogue":"Noted."}'] });
    for (let i = 0; i < 40; i++) await drain(conversation.say(`fact number ${i}: ${'blah '.repeat(60)}`).events);
    double.answerAlways({ pieces: ['{"dialogue":"ok"}'] });
    expect(store.recent('aria', 1000)).toHaveLength(80);
    const sent = double.requests.at(-1)!.body.messages as { role: string; content: string }[];
    const historyChars = sent.slice(1, -1).reduce((n, m) => n + m.content.length, 0);
    expect(historyChars / 4).toBeLessThanOrEqual(3000);
    expect(sent.length).toBeLessThan(80);
    expect(sent.at(-2)!.content).toBe('Noted.');
  });

  it('refuses a 1 MiB line with a clear error and stores nothing; control characters, emoji and RTL text work', async () => {
    const { conversation, store } = setup();
    expect(() => conversation.say('a'.repeat(1 << 20))).toThrow(/too long: 1048576 characters; the limit is 2000/);
    expect(store.recent('aria')).toEqual([]);
    double.queue({ pieces: ['{"dialogue":"👋 שלום \\u0007"}'] });
    const events = await drain(conversation.say('wave 👋 שלום \u0007\u001b[31m').events);
    expect(events.at(-1)).toMatchObject({ type: 'done', reply: '👋 שלום \u0007' });
    expect(store.recent('aria').map((m) => m.content)).toEqual(['wave 👋 שלום \u0007\u001b[31m', '👋 שלום \u0007']);
  });
});
