/**
 * Attacks on the server from issue 11, each reproduced here: a request that crashed the process,
 * pages and API reachable from foreign origins and hosts, clients that never read or spoof acks,
 * floods of chat lines, and the smaller holes (methods, HEAD, idle sockets, the pid in traces).
 * Each gets an answer with a reason or a clean close; honest clients go on.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { encodeMessage } from '../../protocol/wire.js';
import { startServer, type RunningServer } from '../server.js';
import { TestClient } from './ws-client.js';

let server: RunningServer;
let port: number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startServer({ port: 0, width: 128, height: 128, persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.close();
});

/** Sends raw bytes on a fresh TCP connection; resolves with everything the server wrote before it closed (or `ms` passed). */
const raw = (request: string, ms = 2000) =>
  new Promise<{ text: string; closed: boolean }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, ms);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('error', () => undefined);
    socket.write(request);
  });

/** A plain HTTP request with any headers (fetch will not send a foreign Host). */
const request = (path: string, options: { method?: string; headers?: Record<string, string> } = {}) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

const healthy = async () => (await fetch(`${server.url}/api/health`)).status === 200;
const clientsOnServer = async () => ((await (await fetch(`${server.url}/api/health`)).json()) as { sessions: { clients: number }[] }).sessions[0]!.clients;

describe('requests that must not crash the server', () => {
  it('answers an unparseable target with 400, on a WebSocket upgrade and on plain HTTP', async () => {
    const upgrade = await raw(
      'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    expect(upgrade.text).toMatch(/^HTTP\/1\.1 400/);
    const plain = await raw('GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(plain.text).toMatch(/^HTTP\/1\.1 400/);
    expect(plain.text).toMatch(/request target/);
    expect(await healthy()).toBe(true);
  });
});

describe('requests Node itself cannot route', () => {
  it('answers CONNECT, oversized headers and upgrades to other paths with a status and a reason', async () => {
    const connect = await raw('CONNECT /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(connect.text).toMatch(/^HTTP\/1\.1 405[\s\S]*not a proxy/);
    const huge = await raw(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge.text).toMatch(/^HTTP\/1\.1 431[\s\S]*too large/);
    const elsewhere = await raw('GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    expect(elsewhere.text).toMatch(/^HTTP\/1\.1 404[\s\S]*connect to \/ws/);
    expect(await healthy()).toBe(true);
  });

  it('gives a final status after an interim 100 Continue when the chunked body then breaks (fuzz seed 2, http:2832)', async () => {
    const head = (target: string) =>
      `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n`;
    // A target answered before the body is read, and a route that waits for the body.
    for (const target of ['/%zz', '/api/chat']) {
      const { text } = await raw(`${head(target)}zz\r\nhello\r\n`);
      expect(text, target).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
      expect(text.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''), target).toMatch(/^HTTP\/1\.1 400/);
    }
    expect(await healthy()).toBe(true);
  });
});

describe('foreign origins and hosts (DNS rebinding, cross-site WebSocket)', () => {
  it('refuses a WebSocket from another site, accepts its own page and non-browser clients', async () => {
    const attempt = (headers: Record<string, string>) =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
        ws.on('error', () => undefined);
      });
    expect(await attempt({ Origin: 'https://evil.example' })).toBe(403);
    expect(await attempt({ Origin: 'null' })).toBe(403);
    expect(await attempt({ Origin: server.url })).toBe('open');
    expect(await attempt({ Origin: `http://localhost:${port}` })).toBe('open');
    expect(await attempt({})).toBe('open');
  });

  it('refuses a foreign Host header when bound to loopback (what DNS rebinding needs)', async () => {
    const foreign = await request('/api/history', { headers: { Host: `rebind.evil.example:${port}` } });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/Host/);
    expect(foreign.body).not.toMatch(/messages/);
    expect((await request('/api/history', { headers: { Host: `localhost:${port}` } })).status).toBe(200);
    expect((await request('/api/history', { headers: { Host: `127.0.0.1:${port}` } })).status).toBe(200);
  });

  it('sends pages with a content security policy that forbids foreign framing', async () => {
    for (const page of ['/', '/viewer', '/obs']) {
      const res = await request(page);
      expect(res.status).toBe(200);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'self'/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('methods, HEAD, traces', () => {
  it('answers a wrong method on the API with 405 and the allowed ones; HEAD / with 200 and no body', async () => {
    const wrong = await request('/api/health', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    expect((await request('/api/history', { method: 'POST' })).status).toBe(405);
    const head = await request('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toMatch(/text\/html/);
  });

  it('keeps the process id out of exported traces', async () => {
    const trace = await (await fetch(`${server.url}/api/trace?seconds=1`)).json();
    expect(trace.traceEvents.length).toBeGreaterThan(0);
    expect(trace.traceEvents.some((e: { pid: number }) => e.pid === process.pid)).toBe(false);
  });

  it('closes a connection whose headers never finish', async () => {
    const slow = await raw('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 12_000);
    expect(slow.closed).toBe(true);
  }, 15_000);
});

describe('clients that never read, spoof acks, or flood', () => {
  it('an honest client keeps its frames and fast replies while one client never reads and another spoofs acks', async () => {
    const url = `${server.url.replace('http', 'ws')}/ws`;
    // Never reads: its socket is paused, so whatever the server sends piles up on the server's side.
    const stuck = new WebSocket(url);
    await new Promise((r) => stuck.once('open', r));
    (stuck as unknown as { _socket: net.Socket })._socket.pause();
    // Spoofs acks: acknowledges frames it never read, as fast as it can, and never reads either.
    const spoofer = new WebSocket(url);
    await new Promise((r) => spoofer.once('open', r));
    (spoofer as unknown as { _socket: net.Socket })._socket.pause();
    const ack = encodeMessage({ type: 'ack', seq: 0 });
    const flood = setInterval(() => {
      for (let i = 0; i < 20; i++) spoofer.send(ack);
      stuck.send(encodeMessage({ type: 'chat', text: 'wave and then nod' }));
    }, 5);
    try {
      await sleep(1500); // long enough for both to fill every buffer they can
      const honest = await TestClient.connect(url);
      await honest.waitFor('welcome');
      const frames0 = honest.of('frame').length;
      await sleep(2000);
      const fps = (honest.of('frame').length - frames0) / 2;
      expect(fps).toBeGreaterThan(15); // ~30 when unhindered; it was 0 while the spoofer held the frame pool
      const replyMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const from = honest.messages.length;
        const sent = performance.now();
        honest.send({ type: 'chat', text: 'nod' });
        await honest.waitFor('reply', (m) => m.inReplyTo === 'nod', 3000, from);
        replyMs.push(performance.now() - sent);
      }
      expect(Math.max(...replyMs)).toBeLessThan(1000);
      honest.close();
    } finally {
      clearInterval(flood);
      stuck.terminate();
      spoofer.terminate();
    }
  }, 20_000);

  it('closes a client that floods messages without reading, and the memory does not grow without bound', async () => {
    const url = `${server.url.replace('http', 'ws')}/ws`;
    const before = process.memoryUsage().rss;
    const stuck = new WebSocket(url);
    await new Promise((r) => stuck.once('open', r));
    stuck.send(encodeMessage({ type: 'profile', enabled: true }));
    (stuck as unknown as { _socket: net.Socket })._socket.pause();
    const flood = setInterval(() => {
      for (let i = 0; i < 10; i++) stuck.send(encodeMessage({ type: 'chat', text: 'x'.repeat(1500) + ' wave' }));
    }, 2);
    try {
      const deadline = Date.now() + 8000;
      while (Date.now() < deadline && (await clientsOnServer()) > 0) await sleep(100);
      expect(await clientsOnServer()).toBe(0);
      expect((process.memoryUsage().rss - before) / 1048576).toBeLessThan(100);
    } finally {
      clearInterval(flood);
      stuck.terminate();
    }
  }, 15_000);

  it('a client that reads but floods gets a close frame with the reason', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    const ack = encodeMessage({ type: 'ack', seq: 0 });
    for (let i = 0; i < 1000; i++) ws.send(ack);
    expect(await closed).toEqual({ code: 1008, reason: expect.stringMatching(/messages a second/) });
  });

  it('limits how fast one client may send chat lines, says so, and stores only what it accepted', async () => {
    const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
    await client.waitFor('welcome');
    const before = server.sessions.get('default')!.chat.conversation.history(1000).length;
    for (let i = 0; i < 200; i++) client.send({ type: 'chat', text: `hello number ${i}` });
    await client.waitFor('error', (m) => /too many chat lines/.test(m.reason), 3000);
    await sleep(500);
    const stored = server.sessions.get('default')!.chat.conversation.history(1000).length - before;
    expect(stored).toBeLessThan(60); // each accepted line stores the line and the reply
    expect(client.of('error').filter((m) => /too many chat lines/.test(m.reason)).length).toBeGreaterThan(100);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.close();
  });
});
