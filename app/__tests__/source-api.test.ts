/**
 * Switching the frame source of a running server over REST: GET /api/sources, POST /api/source (bad
 * requests refused with the reason, nothing changed), the provider in /api/health, and the neural frames
 * at a WHEP viewer (libwebrtc in Node decoding the stream), then back to the puppet.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdded } from '../../protocol/additions.js';
import { startServer, type RunningServer } from '../server.js';
import { wrtc } from '../webrtc/wrtc.js';
import { writeTinyDiffusionSet } from '../../native/__tests__/tiny-diffusion.js';

const TOKEN = 'test-token-0123456789abcdef';
const SIZE = 64;
const auth = { authorization: `Bearer ${TOKEN}` };
let server: RunningServer;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const api = (route: string, body?: unknown) =>
  fetch(`${server.url}${route}`, body === undefined ? { headers: auth } : { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A WHEP viewer in Node: the mean luma (BT.601, video range) of the top-left 8×8 block of the newest decoded frame. */
const watch = async () => {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('video', { direction: 'recvonly' });
  let cornerLuma: number | null = null;
  let frames = 0;
  pc.addEventListener('track', (event: RTCTrackEvent) => {
    const Sink = (wrtc.nonstandard as unknown as { RTCVideoSink: new (t: MediaStreamTrack) => { onframe: (e: { frame: { width: number; data: Uint8Array } }) => void; stop(): void } }).RTCVideoSink;
    const sink = new Sink(event.track);
    sink.onframe = ({ frame }) => {
      frames++;
      let sum = 0;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) sum += frame.data[y * frame.width + x]!;
      cornerLuma = sum / 64;
    };
  });
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await fetch(`${server.url}/whep`, { method: 'POST', headers: { ...auth, 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
  await pc.setRemoteDescription({ type: 'answer', sdp: await answer.text() });
  return { pc, get corner() { return cornerLuma; }, get frames() { return frames; } };
};
const luma = (r: number, g: number, b: number) => 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
const BACKGROUND_LUMA = luma(38, 42, 53); // the default --background #262a35 behind the puppet's transparent corner

beforeAll(async () => {
  server = await startServer({ port: 0, width: SIZE, height: SIZE, token: TOKEN, voice: 'off' });
});
afterAll(async () => {
  await server?.close();
});

describe('frame source over REST', () => {
  it('lists the sources with their settings and the session’s status', async () => {
    const response = await api('/api/sources');
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.sources.map((s: { id: string }) => s.id)).toEqual(['puppet', 'control', 'diffusion']);
    expect(body.sources[2].configSchema.properties.providers.default).toEqual(['tensorrt', 'cuda', 'cpu']);
    expect(body.status).toMatchObject({ active: 'puppet', state: 'ready', error: null });
    const health = await (await api('/api/health')).json();
    expect(health.source).toEqual({ active: 'puppet', state: 'ready', provider: null, error: null });
  });

  it('refuses unknown sources, bad settings and bad bodies with the reason, changing nothing', async () => {
    const unknown = await api('/api/source', { id: 'webcam' });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error).toBe('unknown frame source "webcam"; available: puppet, control, diffusion');
    const bad = await api('/api/source', { id: 'diffusion', config: { steps: 0 } });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error).toMatch(/bad settings for source "diffusion": steps: /);
    const extra = await api('/api/source', { id: 'puppet', colour: 'red' });
    expect(extra.status).toBe(422);
    const get = await fetch(`${server.url}/api/source`, { headers: auth });
    expect(get.status).toBe(405);
    expect((await (await api('/api/sources')).json()).status.active).toBe('puppet');
  });

  it('switches to control and back; 202 at once without ?wait', async () => {
    const started = await api('/api/source', { id: 'control' });
    expect(started.status).toBe(202);
    for (let i = 0; i < 100 && server.session.sourceStatus!.active !== 'control'; i++) await sleep(10);
    expect(server.session.sourceStatus!.active).toBe('control');
    const back = await api('/api/source?wait=1', { id: 'puppet' });
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ active: 'puppet', state: 'ready' });
  });

  it.skipIf(!isAdded('neural'))('neural frames reach a WHEP viewer; the provider shows in /api/health; back to the puppet', async () => {
    const viewer = await watch();
    for (let i = 0; i < 300 && viewer.corner === null; i++) await sleep(20);
    expect(viewer.corner).not.toBeNull();
    expect(Math.abs(viewer.corner! - BACKGROUND_LUMA)).toBeLessThan(6); // the puppet's transparent corner over the background

    const dir = writeTinyDiffusionSet(mkdtempSync(path.join(os.tmpdir(), 'tiny-sd-')), { size: SIZE });
    const response = await api('/api/source?wait=1', { id: 'diffusion', config: { modelsDir: dir, providers: ['cpu'], threads: 1, similarSkip: 1 } });
    expect(await response.json()).toMatchObject({ active: 'diffusion', state: 'ready', provider: 'cpu', error: null });
    expect((await (await api('/api/health')).json()).source).toMatchObject({ active: 'diffusion', provider: 'cpu' });

    // The newest neural frame the engine published, and what the viewer decodes of its corner.
    let engineCorner: number | null = null;
    const off = server.session.onFrame((f) => {
      if (f.rgba[3] !== 255) return; // a puppet frame (transparent corner) from before the first neural one
      let sum = 0;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) sum += luma(f.rgba[(y * SIZE + x) * 4]!, f.rgba[(y * SIZE + x) * 4 + 1]!, f.rgba[(y * SIZE + x) * 4 + 2]!);
      engineCorner = sum / 64;
    });
    for (let i = 0; i < 300 && engineCorner === null; i++) await sleep(20);
    expect(engineCorner).not.toBeNull();
    await sleep(1000); // a few frames through the encoder
    off();
    expect(Math.abs(viewer.corner! - engineCorner!)).toBeLessThan(12);
    expect(Math.abs(engineCorner! - BACKGROUND_LUMA)).toBeGreaterThan(12); // what the viewer shows is not the puppet's background

    await api('/api/source?wait=1', { id: 'puppet' });
    await sleep(1000);
    expect(Math.abs(viewer.corner! - BACKGROUND_LUMA)).toBeLessThan(6);
    viewer.pc.close();
  });
});
