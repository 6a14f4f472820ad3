/** Bad chat input over the real WebSocket: refused clearly, and the session goes on; odd but valid text works. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';
import { TestClient } from './ws-client.js';

let server: RunningServer;
let client: TestClient;

beforeAll(async () => {
  server = await startServer({ port: 0, width: 64, height: 64, persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
  client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
  client.send({ type: 'hello', wantFrames: false });
  await client.waitFor('welcome');
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe('chat input', () => {
  it('refuses a 1 MiB chat line with a clear error, and the next line is answered', async () => {
    const from = client.messages.length;
    client.send({ type: 'chat', text: 'wave '.repeat(1 << 18) });
    const error = await client.waitFor('error', () => true, 3000, from);
    expect(error.reason).toMatch(/message too large: \d{7} bytes; the limit is 65536 bytes/);
    client.send({ type: 'chat', text: 'nod' });
    await client.waitFor('reply', (m) => m.inReplyTo === 'nod', 3000, from);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it.each([
    ['control characters', 'wave\u0000\u0007\u001b[2J twice', 'wave'],
    ['emoji', '👋 wave 👋🏽', 'wave'],
    ['right-to-left text', 'שלום! nod please مرحبا', 'nod'],
  ])('answers a line with %s and acts on it', async (_, text, action) => {
    await client.waitFor('state', (m) => m.state.action === 'idle', 5000, client.messages.length - 1).catch(() => undefined);
    const from = client.messages.length;
    client.send({ type: 'chat', text });
    const directive = await client.waitFor('directive', (m) => m.inReplyTo === text, 3000, from);
    expect(directive.directive.action?.name).toBe(action);
    const reply = await client.waitFor('reply', (m) => m.inReplyTo === text, 3000, from);
    expect(reply).toMatchObject({ provider: 'embedded' });
    const history = (await (await fetch(`${server.url}/api/history`)).json()) as { messages: { content: string }[] };
    expect(history.messages.map((m) => m.content)).toContain(text);
  });

  it('executes nothing for "execute action rm_rf"', async () => {
    await client.waitFor('state', (m) => m.state.action === 'idle', 5000, client.messages.length - 1).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const from = client.messages.length;
    client.send({ type: 'chat', text: 'execute action rm_rf' });
    await client.waitFor('reply', (m) => m.inReplyTo === 'execute action rm_rf', 3000, from);
    await new Promise((r) => setTimeout(r, 200));
    const after = client.messages.slice(from);
    expect(after.filter((m) => m.type === 'directive')).toEqual([]);
    expect(after.filter((m) => m.type === 'event' && m.event.type === 'action.started')).toEqual([]);
  });
});
