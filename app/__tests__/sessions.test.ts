/**
 * One server, two sessions: each has its own character, chat, state and WebRTC video; requests
 * name one with ?session= or /whep/<name>, and the first is the default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';
import { wrtc } from '../webrtc/wrtc.js';
import { TestClient } from './ws-client.js';

let server: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    width: 128,
    height: 128,
    sessions: [
      { name: 'default', character: 'aria' },
      { name: 'kai', character: 'kai' },
    ],
    persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }),
  });
});

afterAll(async () => {
  clients.forEach((c) => c.close());
  await server?.close();
});

const ws = async (query = '') => {
  const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws${query}`);
  clients.push(client);
  return client;
};

describe('several sessions in one server', () => {
  it('lists them, and each WebSocket talks to its own character', async () => {
    const health = await (await fetch(`${server.url}/api/health`)).json();
    expect(health.sessions).toEqual([
      { name: 'default', character: 'aria', clients: 0 },
      { name: 'kai', character: 'kai', clients: 0 },
    ]);
    const aria = await ws();
    const kai = await ws('?session=kai');
    expect((await aria.waitFor('welcome')).character).toBe('aria');
    expect((await kai.waitFor('welcome')).character).toBe('kai');
    kai.send({ type: 'chat', text: 'wave at the camera' });
    await kai.waitFor('state', (m) => m.state.action === 'wave');
    expect(aria.of('state').every((m) => m.state.action !== 'wave')).toBe(true); // the other session did not move
    const history = await (await fetch(`${server.url}/api/history?session=kai`)).json();
    expect(history.character).toBe('kai');
    expect(history.messages.map((m: { content: string }) => m.content)).toContain('wave at the camera');
  });

  it('streams each session on its own WHEP endpoint, and says which exist when asked for another', async () => {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`${server.url}/whep/kai`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(/^\/whep\/kai\/[0-9a-f-]{36}$/);
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const kai = server.sessions.get('kai')!;
    const deadline = Date.now() + 5000;
    while (kai.video.framesSent < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(kai.video.framesSent).toBeGreaterThanOrEqual(5);
    expect(server.video.framesSent).toBe(0); // nobody watches the default session: it converts nothing
    const stats = await (await fetch(`${server.url}/api/webrtc/stats?session=kai`)).json();
    expect(stats.viewers).toHaveLength(1);
    await fetch(`${server.url}${response.headers.get('location')}`, { method: 'DELETE' });
    pc.close();

    const unknown = await fetch(`${server.url}/whep/mira`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('unknown session "mira"; this server streams "default", "kai"');
    const api = await fetch(`${server.url}/api/history?session=mira`);
    expect(api.status).toBe(404);
    const page = await fetch(`${server.url}/?session=mira`);
    expect(page.status).toBe(404);
    expect(await page.text()).toMatch(/unknown session "mira"/);
    await expect(TestClient.connect(`${server.url.replace('http', 'ws')}/ws?session=mira`)).rejects.toThrow(/404/);
  });

  it('refuses a configuration that names a session twice or badly', async () => {
    await expect(startServer({ port: 0, sessions: [{ name: 'a', character: 'aria' }, { name: 'a', character: 'kai' }] })).rejects.toThrow(/session "a" is listed twice/);
    await expect(startServer({ port: 0, sessions: [{ name: 'Not OK', character: 'aria' }] })).rejects.toThrow(/lowercase letters, digits/);
  });
});
