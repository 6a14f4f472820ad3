/**
 * Her voice through the server: a chat line's reply arrives as audio (real espeak-ng PCM with
 * energy) on the WebSocket, the published frames open the mouth while it plays, a new line sends
 * audio.stop; and where the library is missing she says plainly there is no voice.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONING, channelIndex } from '../../protocol/conditioning.js';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';
import { TestClient } from './ws-client.js';

const MOUTH = (['aa', 'ih', 'ou', 'ee', 'oh'] as const).map((c) => CONDITIONING.expressionOffset + channelIndex(c));
const persona = PersonaConfigSchema.parse({ dataDir: ':memory:' });

describe('voice on the server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, width: 128, height: 128, persona });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('speaks the reply: audio with energy on the WebSocket, and the mouth moves on the frames while it plays', async () => {
    const health = await (await fetch(`${server.url}/api/health`)).json();
    expect(health.voice).toBe('embedded');
    const openings: { at: number; open: number }[] = [];
    server.session.onFrame((f) => openings.push({ at: performance.now(), open: Math.max(...MOUTH.map((i) => f.conditioning[i]!)) }));
    const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
    const welcome = await client.waitFor('welcome');
    expect(welcome.voice).toEqual({ on: true, id: 'embedded' });
    const sentAt = performance.now();
    client.send({ type: 'chat', text: 'hello! how are you?' });
    const audio = await client.waitFor('audio', () => true, 3000);
    const receivedAt = performance.now();
    const bytes = new Uint8Array(audio.pcm); // a copy: the decoder may hand out a view into a shared pool
    const pcm = new Int16Array(bytes.buffer, 0, bytes.length / 2);
    const rms = Math.sqrt(pcm.reduce((a, v) => a + v * v, 0) / pcm.length);
    expect(audio.sampleRate).toBe(22050);
    expect(pcm.length / audio.sampleRate).toBeGreaterThan(0.3);
    expect(rms).toBeGreaterThan(300);
    const soundFrom = receivedAt + audio.startsInMs;
    const soundTo = soundFrom + (pcm.length / audio.sampleRate) * 1000;
    await new Promise((r) => setTimeout(r, soundTo - performance.now() + 400));
    const during = openings.filter((o) => o.at > soundFrom + 80 && o.at < soundTo - 80);
    const before = openings.filter((o) => o.at > sentAt && o.at < soundFrom - 120);
    expect(Math.max(...during.map((o) => o.open))).toBeGreaterThan(0.4);
    expect(Math.max(0, ...before.map((o) => o.open))).toBeLessThan(0.05); // silent: the mouth stays shut
    client.close();
  });

  it('a new line while she talks stops the sound (audio.stop)', async () => {
    const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
    await client.waitFor('welcome');
    client.send({ type: 'chat', text: 'what can you do?' });
    await client.waitFor('audio', () => true, 3000);
    await new Promise((r) => setTimeout(r, 300));
    const from = client.messages.length;
    client.send({ type: 'chat', text: 'wave' });
    await client.waitFor('audio.stop', () => true, 2000, from);
    client.close();
  });
});

describe('no voice', () => {
  it('says "no voice: install espeak-ng" in the log, /api/health and the welcome, and replies as text', async () => {
    const before = process.env.PERSONA_ESPEAK_LIB;
    process.env.PERSONA_ESPEAK_LIB = '/nonexistent/libespeak-ng.so.1';
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    let server: RunningServer | undefined;
    try {
      server = await startServer({ port: 0, width: 128, height: 128, persona });
      expect(warnings.join('\n')).toMatch(/no voice: install espeak-ng/);
      const health = await (await fetch(`${server.url}/api/health`)).json();
      expect(health.voice).toMatch(/^no voice: install espeak-ng/);
      const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
      expect((await client.waitFor('welcome')).voice).toEqual({ on: false, reason: expect.stringMatching(/no voice: install espeak-ng/) });
      client.send({ type: 'chat', text: 'hello' });
      await client.waitFor('reply', (m) => m.inReplyTo === 'hello');
      await new Promise((r) => setTimeout(r, 300));
      expect(client.of('audio')).toEqual([]);
      client.close();
    } finally {
      console.warn = warn;
      if (before === undefined) delete process.env.PERSONA_ESPEAK_LIB;
      else process.env.PERSONA_ESPEAK_LIB = before;
      await server?.close();
    }
  });
});

describe('remote voice', () => {
  it('speaks through an OpenAI-compatible /v1/audio/speech server when --voice-url names one', async () => {
    const asked: { path: string; body: { input: string; response_format: string } }[] = [];
    // A text-to-speech server speaking the protocol: raw 24 kHz 16-bit PCM, a vowel-like tone per request.
    const tts = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        asked.push({ path: req.url!, body: JSON.parse(body) });
        const pcm = new Int16Array(24000 * 0.6);
        for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 24000));
        res.writeHead(200, { 'content-type': 'audio/pcm' }).end(Buffer.from(pcm.buffer));
      });
    });
    await new Promise<void>((r) => tts.listen(0, '127.0.0.1', r));
    const server = await startServer({ port: 0, width: 128, height: 128, persona, voiceUrl: `http://127.0.0.1:${(tts.address() as { port: number }).port}/v1` });
    try {
      expect((await (await fetch(`${server.url}/api/health`)).json()).voice).toBe('remote');
      const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
      expect((await client.waitFor('welcome')).voice).toEqual({ on: true, id: 'remote' });
      client.send({ type: 'chat', text: 'wave' });
      const audio = await client.waitFor('audio', () => true, 3000);
      expect(audio.sampleRate).toBe(24000);
      expect(audio.pcm.byteLength).toBe(24000 * 0.6 * 2);
      expect(asked[0]).toMatchObject({ path: '/v1/audio/speech', body: { response_format: 'pcm', input: expect.any(String) } });
      client.close();
    } finally {
      await server.close();
      tts.close();
    }
  });
});
