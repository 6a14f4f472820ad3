/** The `openai` interpreter against a real loopback HTTP server speaking the OpenAI streaming protocol. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARIA } from '../../characters/aria.js';
import { collectTurn, type InterpreterEvent } from '../interpreter.js';
import { OpenAiInterpreter } from '../openai-interpreter.js';
import { contentEvent, OpenAiDouble } from './openai-double.js';

let double: OpenAiDouble;
/** A loopback port nothing listens on. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
const make = (timeoutMs = 2000) => new OpenAiInterpreter(ARIA, { baseUrl: double.baseUrl, model: 'test-model', apiKey: 'sk-test', timeoutMs });

beforeAll(async () => {
  double = await OpenAiDouble.start();
});
afterAll(async () => {
  await double?.close();
});

describe('openai interpreter', () => {
  it('sends the model, key, history and the Directive JSON Schema, and streams the reply', async () => {
    double.queue({ pieces: ['{"action":{"name":"wave","repeat":2},', '"expression":{"name":"happy","intensity":0.7},', '"gaze":"camera","dialogue":"Hi ', 'there!"}'] });
    const turn = await collectTurn(make().stream({ line: 'wave twice', system: 'be Aria', history: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }] }));
    expect(turn.directives.map((d) => d.action?.name ?? d.expression?.name ?? d.gaze)).toEqual(['wave', 'happy', 'camera']);
    expect(turn.directives[0]).toMatchObject({ source: 'llm', action: { name: 'wave', repeat: 2 } });
    expect(turn.reply).toBe('Hi there!');
    const request = double.requests.at(-1)!;
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body).toMatchObject({ model: 'test-model', stream: true, response_format: { type: 'json_schema', json_schema: { name: 'directive' } } });
    const schema = (request.body.response_format as { json_schema: { schema: { properties: { action: { properties: { name: { enum: string[] } } } } } } }).json_schema.schema;
    expect(schema.properties.action.properties.name.enum).toEqual(ARIA.vocabulary.actions.map((a) => a.name));
    expect((request.body.messages as { role: string }[]).map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });

  it("asks Ollama with its `format` field, and a prompt-only server with neither", async () => {
    double.queue({ pieces: ['{"dialogue":"hi"}'] }, { pieces: ['{"dialogue":"hi"}'] });
    const ask = (structuredOutput: 'ollama' | 'none') => collectTurn(new OpenAiInterpreter(ARIA, { baseUrl: double.baseUrl, model: 'llama3.2', structuredOutput }).stream({ line: 'hi' }));
    await ask('ollama');
    const ollama = double.requests.at(-1)!.body;
    expect(ollama.response_format).toBeUndefined();
    expect(ollama.format).toMatchObject({ type: 'object', properties: { dialogue: { type: 'string' } } });
    await ask('none');
    expect(double.requests.at(-1)!.body).not.toHaveProperty('format');
    expect(double.requests.at(-1)!.body).not.toHaveProperty('response_format');
  });

  it('reads a JSON object split in the middle of keys, strings and SSE events', async () => {
    const whole = contentEvent('{"act') + contentEvent('ion":{"na') + contentEvent('me":"nod"}') + contentEvent(',"dialogue":"Y\\u00e9s ') + contentEvent('👋 مرحبا"}') + 'data: [DONE]\n\n';
    double.queue({ raw: [whole.slice(0, 13), whole.slice(13, 40), whole.slice(40)] });
    const turn = await collectTurn(make().stream({ line: 'nod' }));
    expect(turn.directives.map((d) => d.action?.name)).toEqual(['nod']);
    expect(turn.reply).toBe('Yés 👋 مرحبا');
  });

  it('emits the action the moment its field is complete, before a slow dialogue ends', async () => {
    double.queue({ pieces: ['{"action":{"name":"wave"}', ',"dialogue":"Hel', 'lo', ' there"}'], delayBetweenMs: 300 });
    const seen: { event: InterpreterEvent; at: number }[] = [];
    const t0 = Date.now();
    for await (const event of make().stream({ line: 'wave' })) seen.push({ event, at: Date.now() - t0 });
    const action = seen.find((s) => s.event.type === 'directive')!;
    const done = seen.find((s) => s.event.type === 'done')!;
    expect(done.at - action.at).toBeGreaterThanOrEqual(700);
    expect(seen.filter((s) => s.event.type === 'text').map((s) => (s.event as { chunk: string }).chunk).join('')).toBe('Hello there');
  });

  it('maps a near-miss name to the vocabulary and drops one outside it, reporting both', async () => {
    double.queue({ pieces: ['{"action":{"name":"rm_rf"},"expression":{"name":"smile","intensity":0.5},"dialogue":"I cannot do that."}'] });
    const turn = await collectTurn(make().stream({ line: 'execute action rm_rf' }));
    expect(turn.directives).toEqual([expect.objectContaining({ expression: { name: 'happy', intensity: 0.5 } })]);
    expect(turn.directives.some((d) => d.action)).toBe(false);
    expect(turn.notices).toEqual([
      { type: 'dropped', field: 'action', name: 'rm_rf', reason: expect.stringContaining('not in Aria') },
      { type: 'mapped', field: 'expression', from: 'smile', to: 'happy' },
    ]);
  });

  it('takes prose from a server without structured output as the dialogue, with no action', async () => {
    double.queue({ pieces: ['Sure, ', 'I can wave!'] });
    const turn = await collectTurn(make().stream({ line: 'wave' }));
    expect(turn).toMatchObject({ directives: [], reply: 'Sure, I can wave!' });
  });

  it('fails with the status and the server message on an HTTP error', async () => {
    double.queue({ status: 401, errorBody: { error: { message: 'Incorrect API key provided' } } });
    await expect(collectTurn(make().stream({ line: 'wave' }))).rejects.toThrow(/answered HTTP 401: .*Incorrect API key.*Check the API key/);
  });

  it('gives up after the timeout when the server goes silent', async () => {
    double.queue({ raw: [contentEvent('{"dialogue":"thinking')], hang: true });
    const t0 = Date.now();
    await expect(collectTurn(make(400).stream({ line: 'wave' }))).rejects.toThrow(/no answer from .* within 400 ms \(timeout\)/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('fails clearly on an event whose data is not JSON, and on a reply that is broken JSON', async () => {
    double.queue({ raw: ['data: {"choices": [oops\n\n'] });
    await expect(collectTurn(make().stream({ line: 'wave' }))).rejects.toThrow(/sent an event whose data is not JSON/);
    double.queue({ pieces: ['{"action": wave}'] });
    await expect(collectTurn(make().stream({ line: 'wave' }))).rejects.toThrow(/not the Directive JSON: invalid JSON at character/);
  });

  it('says the server cannot be reached when nothing listens', async () => {
    const port = await freePort();
    const gone = new OpenAiInterpreter(ARIA, { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x', timeoutMs: 1500 });
    await expect(collectTurn(gone.stream({ line: 'wave' }))).rejects.toThrow(new RegExp(`cannot reach http://127.0.0.1:${port}/v1/chat/completions \\(ECONNREFUSED\\)`));
  });

  it('refuses a 1 MiB line before sending anything', async () => {
    const before = double.requests.length;
    await expect(collectTurn(make().stream({ line: 'x'.repeat(1 << 20) }))).rejects.toThrow(/chat line too long: 1048576 characters/);
    expect(double.requests.length).toBe(before);
  });
});
