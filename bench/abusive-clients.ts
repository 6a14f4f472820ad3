/**
 * One honest WebSocket client beside two abusive ones on the same session: one never reads (its
 * socket paused) and floods chat lines, one acknowledges frames it never read as fast as it can.
 * Measures what the honest client gets: preview frames per second and chat reply times.
 */
import type net from 'node:net';
import WebSocket from 'ws';
import { encodeMessage } from '../protocol/wire.js';
import { distribution, type Distribution } from '../engine/profiler.js';
import { PersonaConfigSchema } from '../protocol/persona-config.js';
import { startServer } from '../app/server.js';
import { TestClient } from '../app/__tests__/ws-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface AbuseResult {
  honest_fps: number;
  honest_reply_ms: Distribution | null;
  abusive_clients_dropped: number;
}

const pausedClient = async (url: string) => {
  const ws = new WebSocket(url);
  await new Promise((r) => ws.once('open', r));
  (ws as unknown as { _socket: net.Socket })._socket.pause();
  return ws;
};

export const measureHonestClientUnderAbuse = async (seconds: number, replies: number): Promise<AbuseResult> => {
  const server = await startServer({ port: 0, persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
  const url = `${server.url.replace('http', 'ws')}/ws`;
  const stuck = await pausedClient(url);
  const spoofer = await pausedClient(url);
  const ack = encodeMessage({ type: 'ack', seq: 0 });
  const chat = encodeMessage({ type: 'chat', text: 'wave and then nod' });
  // Just under the flood limit (400 messages a second), so they stay connected and keep pressing.
  const flood = setInterval(() => {
    for (let i = 0; i < 3; i++) spoofer.send(ack);
    stuck.send(chat);
  }, 10);
  try {
    await sleep(1500);
    const honest = await TestClient.connect(url);
    await honest.waitFor('welcome');
    const frames0 = honest.of('frame').length;
    const t0 = performance.now();
    const replyMs: number[] = [];
    for (let i = 0; i < replies; i++) {
      const from = honest.messages.length;
      const sent = performance.now();
      honest.send({ type: 'chat', text: i % 2 ? 'nod' : 'look happy' });
      await honest.waitFor('reply', () => true, 3000, from);
      replyMs.push(performance.now() - sent);
      await sleep(Math.max(0, (seconds * 1000) / replies - (performance.now() - sent)));
    }
    const fps = (honest.of('frame').length - frames0) / ((performance.now() - t0) / 1000);
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { sessions: { clients: number }[] };
    honest.close();
    return {
      honest_fps: Math.round(fps * 10) / 10,
      honest_reply_ms: distribution(replyMs),
      abusive_clients_dropped: 3 - health.sessions[0]!.clients,
    };
  } finally {
    clearInterval(flood);
    stuck.terminate();
    spoofer.terminate();
    await server.close();
  }
};
