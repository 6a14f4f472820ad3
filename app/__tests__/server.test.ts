/** The real server on a loopback port: health, chat round trip, and bad input that must not end the session. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage, MAX_INBOUND_BYTES } from '../../protocol/wire.js';
import { startServer, type RunningServer } from '../server.js';
import { TestClient } from './ws-client.js';

let server: RunningServer;
let client: TestClient;

beforeAll(async () => {
  server = await startServer({ port: 0, width: 256, height: 256 });
  client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
  await client.waitFor('welcome');
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe('server', () => {
  it('answers health with 200 once ready, and names the character', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', character: 'aria', fps: 30 });
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
  });

  it('carries a chat line in and a reply, events, state and frames out', async () => {
    const from = client.messages.length;
    client.send({ type: 'chat', text: 'wave' });
    const reply = await client.waitFor('reply', (m) => m.inReplyTo === 'wave', 3000, from);
    expect(reply.text.length).toBeGreaterThan(0);
    await client.waitFor('event', (m) => m.event.type === 'action.started' && m.event.action === 'wave', 3000, from);
    await client.waitFor('state', (m) => m.state.action === 'wave', 3000, from);
    const frame = await client.waitFor('frame', () => true, 3000, from);
    expect(frame.rgba.byteLength).toBe(256 * 256 * 4);
  });

  it('answers malformed, unknown and oversized messages with an error, and the session goes on', async () => {
    const errors = () => client.of('error').map((e) => e.reason);
    client.sendRaw('{"type":"chat","text":"wave"}');
    client.sendRaw(new Uint8Array([0xc1, 0xff, 0x00]));
    client.sendRaw(encodeMessage({ type: 'dance', text: 'x' } as never));
    client.sendRaw(encodeMessage({ type: 'chat', text: 'x'.repeat(MAX_INBOUND_BYTES + 10) }));
    client.sendRaw(encodeMessage({ type: 'chat', text: '' }));
    await client.waitFor('error', () => errors().length >= 5);
    const reasons = errors();
    expect(reasons[0]).toMatch(/expected a binary msgpack frame/);
    expect(reasons[1]).toMatch(/malformed message|invalid message/);
    expect(reasons[2]).toMatch(/invalid message: type/);
    expect(reasons[3]).toMatch(/too large: \d+ bytes; the limit is 65536/);
    expect(reasons[4]).toMatch(/invalid message: text/);
    const from = client.messages.length;
    client.send({ type: 'chat', text: 'nod' });
    await client.waitFor('reply', (m) => m.inReplyTo === 'nod', 3000, from);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('gives a friendly reply and no action to a line it does not understand', async () => {
    await client.waitFor('state', (m) => m.state.action === 'idle', 5000, client.messages.length - 1).catch(() => undefined);
    const from = client.messages.length;
    client.send({ type: 'chat', text: 'what is the meaning of life?' });
    const reply = await client.waitFor('reply', (m) => m.inReplyTo.startsWith('what is'), 3000, from);
    expect(reply.text).toMatch(/not sure|didn't catch/i);
    await new Promise((r) => setTimeout(r, 300));
    expect(client.messages.slice(from).filter((m) => m.type === 'event' && m.event.type === 'action.started')).toEqual([]);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    await expect(startServer({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/set a token/);
  });
});
