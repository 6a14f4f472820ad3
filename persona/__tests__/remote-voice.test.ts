import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AudioChunk, MouthEvent, Viseme } from '../../protocol/voice.js';
import { DEFAULT_VOICE } from '../../protocol/voice.js';
import { EnvelopeMouth, vowelGroups } from '../mouth-from-envelope.js';
import { createRemoteVoice } from '../remote-voice.js';

const RATE = 24000;

/** Vowel-like audio: a 140 Hz buzz with a few harmonics, faded in and out; silence between the stretches. */
const speechLike = (plan: [kind: 'voiced' | 'silent', ms: number][]): Int16Array => {
  const total = plan.reduce((n, [, ms]) => n + Math.round((RATE * ms) / 1000), 0);
  const pcm = new Int16Array(total);
  let at = 0;
  for (const [kind, ms] of plan) {
    const n = Math.round((RATE * ms) / 1000);
    if (kind === 'voiced') {
      for (let i = 0; i < n; i++) {
        const t = i / RATE;
        const fade = Math.min(1, i / (RATE * 0.02), (n - i) / (RATE * 0.02));
        const buzz = Math.sin(2 * Math.PI * 140 * t) + 0.5 * Math.sin(2 * Math.PI * 280 * t) + 0.3 * Math.sin(2 * Math.PI * 700 * t);
        pcm[at + i] = Math.round(9000 * fade * buzz);
      }
    }
    at += n;
  }
  return pcm;
};

// 100 ms silence, "hello" (400 ms), a 300 ms gap, "world" (400 ms), 100 ms silence.
const PLAN: [('voiced' | 'silent'), number][] = [['silent', 100], ['voiced', 400], ['silent', 300], ['voiced', 400], ['silent', 100]];
const VOICED: [number, number][] = [[100, 500], [800, 1200]];
const SAMPLES = speechLike(PLAN);
const bytesOf = (pcm: Int16Array) => {
  const b = Buffer.alloc(pcm.length * 2);
  pcm.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
};
const BYTES = bytesOf(SAMPLES);

const wavOf = (pcm: Int16Array, rate: number) => {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length * 2, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length * 2, 40);
  return Buffer.concat([h, bytesOf(pcm)]);
};

/** Splits bytes into pieces of the given sizes (odd ones included), the rest in one last piece. */
const piecesOf = (bytes: Buffer, sizes: number[]) => {
  const out: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= bytes.length) break;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at < bytes.length) out.push(bytes.subarray(at));
  return out;
};
const PIECES = piecesOf(BYTES, [4801, 9600, 3, 12000, 11999, 20000, 1]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  body: Record<string, unknown>;
  authorization: string | undefined;
  url: string | undefined;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback speech server; `handle` answers once the JSON request body has been read. */
const serve = async (handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void | Promise<void>) => {
  const requests: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const seen = { body: JSON.parse(raw || '{}') as Record<string, unknown>, authorization: req.headers.authorization, url: req.url };
      requests.push(seen);
      void handle(req, res, seen);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, requests };
};

/** Streams the pieces with a small delay between them. */
const streamPieces = (pieces: Buffer[], type: string, delayMs = 15) => async (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': type });
  for (const piece of pieces) {
    if (res.destroyed) return;
    res.write(piece);
    await sleep(delayMs);
  }
  res.end();
};

const collect = async (chunks: AsyncIterable<AudioChunk>) => {
  const out: AudioChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
};
const concat = (chunks: AudioChunk[]) => {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.pcm.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c.pcm, at);
    at += c.pcm.length;
  }
  return out;
};
/** The shape the mouth holds at `ms`. */
const shapeAt = (mouth: readonly MouthEvent[], ms: number): Viseme => {
  let shape: Viseme = 'rest';
  for (const e of mouth) if (e.atMs <= ms) shape = e.viseme;
  return shape;
};
const expectTimeline = (mouth: readonly MouthEvent[]) => {
  for (let i = 1; i < mouth.length; i++) expect(mouth[i]!.atMs).toBeGreaterThanOrEqual(mouth[i - 1]!.atMs);
  const open = mouth.filter((e) => e.viseme !== 'rest');
  expect(open.length).toBeGreaterThanOrEqual(2);
  for (const e of open) expect(VOICED.some(([a, b]) => e.atMs >= a - 10 && e.atMs < b)).toBe(true);
  for (const [a, b] of VOICED) expect(open.some((e) => e.atMs >= a - 10 && e.atMs < b)).toBe(true);
  for (const ms of [50, 560, 650, 750, 1250]) expect(shapeAt(mouth, ms)).toBe('rest'); // the silences, the gap
  for (const ms of [250, 450, 900, 1150]) expect(shapeAt(mouth, ms)).not.toBe('rest');
  expect(mouth.at(-1)!.viseme).toBe('rest');
};

describe('remote voice (OpenAI-compatible /v1/audio/speech)', () => {
  it('posts the request and streams the PCM answer as chunks on the utterance clock, with an estimated mouth', async () => {
    const { baseUrl, requests } = await serve(streamPieces(PIECES, 'audio/pcm'));
    const voice = createRemoteVoice({ baseUrl, apiKey: 'sk-test', timeoutMs: 2000 });
    expect(voice.id).toBe('remote');
    expect(voice.availability()).toEqual({ ok: true });
    const u = voice.speak('Hello world', DEFAULT_VOICE);
    const grown: number[] = [];
    const chunks: AudioChunk[] = [];
    for await (const c of u.chunks) {
      chunks.push(c);
      grown.push(u.mouth.length);
    }
    const end = await u.done;

    expect(requests[0]!.url).toBe('/v1/audio/speech');
    expect(requests[0]!.authorization).toBe('Bearer sk-test');
    expect(requests[0]!.body).toEqual({ model: 'tts-1', input: 'Hello world', voice: 'alloy', response_format: 'pcm' });

    expect(chunks.length).toBeGreaterThan(3);
    expect(Array.from(concat(chunks))).toEqual(Array.from(SAMPLES)); // odd byte boundaries carried over
    let at = 0;
    for (const c of chunks) {
      expect(c.sampleRate).toBe(RATE);
      expect(c.atMs).toBeCloseTo(at, 6);
      at += (c.pcm.length / RATE) * 1000;
    }
    expect(end).toEqual({ durationMs: expect.closeTo(1300, 3) as number, cancelled: false });

    expect(grown.some((n, i) => i > 0 && n > grown[0]! && i < grown.length - 1)).toBe(true); // grew while streaming
    expectTimeline(u.mouth);
    expect(u.words.map((w) => w.text)).toEqual(['Hello', 'world']);
    expect(u.words[1]!.atMs).toBeGreaterThanOrEqual(800 - 10);
  });

  it('reads a WAV answer (RIFF header split across pieces)', async () => {
    const wav = wavOf(SAMPLES, RATE);
    const { baseUrl } = await serve(streamPieces(piecesOf(wav, [7, 30, 9, 4801, 12000]), 'audio/wav', 5));
    const u = createRemoteVoice({ baseUrl, timeoutMs: 2000 }).speak('Hello world', DEFAULT_VOICE);
    const chunks = await collect(u.chunks);
    await u.done;
    expect(Array.from(concat(chunks))).toEqual(Array.from(SAMPLES));
    expect(chunks.every((c) => c.sampleRate === RATE)).toBe(true);
    expectTimeline(u.mouth);
  });

  it('cancel() mid-stream stops the chunks, aborts the request and resolves cancelled', async () => {
    let closed = false;
    const { baseUrl } = await serve(async (req, res) => {
      res.on('close', () => (closed = true));
      await streamPieces(piecesOf(BYTES, Array(40).fill(1201)), 'audio/pcm', 30)(req, res);
    });
    const u = createRemoteVoice({ baseUrl, timeoutMs: 2000 }).speak('Hello world', DEFAULT_VOICE);
    const got: AudioChunk[] = [];
    for await (const c of u.chunks) {
      got.push(c);
      if (got.length === 3) u.cancel();
    }
    const end = await u.done;
    expect(got).toHaveLength(3);
    expect(end.cancelled).toBe(true);
    expect(end.durationMs).toBeGreaterThan(0);
    expect(end.durationMs).toBeLessThan(1300);
    expect(u.mouth.at(-1)!.viseme).toBe('rest');
    expect(u.mouth.at(-1)!.atMs).toBeLessThanOrEqual(end.durationMs);
    await sleep(100);
    expect(closed).toBe(true);
    u.cancel(); // idempotent
  });

  it('an HTTP error rejects with its status and the server’s words', async () => {
    const { baseUrl } = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
    });
    const u = createRemoteVoice({ baseUrl, apiKey: 'wrong', timeoutMs: 2000 }).speak('Hi', DEFAULT_VOICE);
    await expect(u.done).rejects.toThrow(/^remote voice: HTTP 401 Unauthorized: .*Incorrect API key/);
    await expect(collect(u.chunks)).rejects.toThrow(/HTTP 401/);
  });

  it('a server that never answers, or stops sending, times out with a clear reason', async () => {
    const { baseUrl } = await serve(() => {}); // never answers
    const u = createRemoteVoice({ baseUrl, timeoutMs: 200 }).speak('Hi', DEFAULT_VOICE);
    await expect(u.done).rejects.toThrow(/^remote voice: no answer within 200 ms/);

    const stalls = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      res.write(BYTES.subarray(0, 4800)); // then nothing more
    });
    const v = createRemoteVoice({ baseUrl: stalls.baseUrl, timeoutMs: 200 }).speak('Hi', DEFAULT_VOICE);
    await expect(v.done).rejects.toThrow(/no answer within 200 ms/);
  });

  it('an unreachable server and a missing base URL fail clearly', async () => {
    const { baseUrl } = await serve(() => {});
    await new Promise((r) => servers.pop()!.close(r)); // nothing listens there now
    const u = createRemoteVoice({ baseUrl, timeoutMs: 2000 }).speak('Hi', DEFAULT_VOICE);
    await expect(u.done).rejects.toThrow(/^remote voice: unreachable/);

    const none = createRemoteVoice({ baseUrl: '' });
    expect(none.availability()).toMatchObject({ ok: false, reason: expect.stringMatching(/base URL/) as string });
    await expect(none.speak('Hi', DEFAULT_VOICE).done).rejects.toThrow(/no base URL/);
  });

  it('dispose() cancels what is speaking', async () => {
    const { baseUrl } = await serve(streamPieces(piecesOf(BYTES, Array(40).fill(1200)), 'audio/pcm', 30));
    const voice = createRemoteVoice({ baseUrl, timeoutMs: 2000 });
    const u = voice.speak('Hello world', DEFAULT_VOICE);
    await sleep(80);
    voice.dispose();
    expect((await u.done).cancelled).toBe(true);
    await expect(voice.speak('Again', DEFAULT_VOICE).done).rejects.toThrow(/disposed/);
  });
});

describe('mouth from the text and the envelope (pure)', () => {
  it('splits text into vowel groups, one shape each, with their words', () => {
    expect(vowelGroups('Hello world').map((g) => g.viseme)).toEqual(['ee', 'oh', 'oh']);
    expect(vowelGroups('make a moon boat').map((g) => [g.viseme, g.wordText])).toEqual([
      ['aa', 'make'], ['aa', 'a'], ['ou', 'moon'], ['oh', 'boat'],
    ]);
    expect(vowelGroups('yes, hmm… it’s 42!').map((g) => g.viseme)).toEqual(['ee', 'aa', 'ih', 'ih', 'ih']);
    expect(vowelGroups('')).toEqual([]);
  });

  it('places the groups over voiced stretches and rests in silences, the same however the audio is split', () => {
    const whole = new EnvelopeMouth('Hello world', RATE);
    whole.push(SAMPLES);
    whole.end(SAMPLES.length);
    expectTimeline(whole.mouth);
    expect(whole.mouth[0]).toEqual({ atMs: 0, viseme: 'rest', weight: 0 });

    const split = new EnvelopeMouth('Hello world', RATE);
    for (let at = 0; at < SAMPLES.length; at += 777) split.push(SAMPLES.subarray(at, at + 777));
    split.end(SAMPLES.length);
    expect(split.mouth).toEqual(whole.mouth);
    expect(split.words).toEqual(whole.words);
  });

  it('appends only final events: what is there before the end is a prefix of the result', () => {
    const m = new EnvelopeMouth('Hello world', RATE);
    const snapshots: MouthEvent[][] = [];
    for (let at = 0; at < SAMPLES.length; at += 2400) {
      m.push(SAMPLES.subarray(at, at + 2400));
      snapshots.push([...m.mouth]);
    }
    m.end(SAMPLES.length);
    for (const s of snapshots) expect(m.mouth.slice(0, s.length)).toEqual(s);
  });

  it('silence alone is a resting mouth; a quiet hiss stays silent', () => {
    const m = new EnvelopeMouth('Hi', RATE);
    const hiss = new Int16Array(RATE / 2).map((_, i) => ((i * 7919) % 61) - 30);
    m.push(hiss);
    m.end(hiss.length);
    expect(m.mouth).toEqual([{ atMs: 0, viseme: 'rest', weight: 0 }]);
    const empty = new EnvelopeMouth('Hi', RATE);
    empty.end(0);
    expect(empty.mouth).toEqual([{ atMs: 0, viseme: 'rest', weight: 0 }]);
  });
});
