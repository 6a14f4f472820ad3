/** A WHEP viewer's display report (POST <resource>/display): validated, rate-limited, and the first reporter paces the loop. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.js';
import { MIN_REPORT_GAP_MS } from '../webrtc/whep.js';
import { wrtc } from '../webrtc/wrtc.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const REFRESH = 1000 / 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: RunningServer;
const peers: RTCPeerConnection[] = [];

/** A viewer's WHEP resource (the offer answered; ICE need not connect for its reports to count). */
const join = async () => {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  peers.push(pc);
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(`${server.url}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp', ...AUTH }, body: pc.localDescription!.sdp });
  expect(response.status).toBe(201);
  await response.text();
  return response.headers.get('location')!;
};

const report = (resource: string, body: unknown, type = 'application/json') =>
  fetch(`${server.url}${resource}/display`, { method: 'POST', headers: { 'content-type': type, ...AUTH }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** 30 frames that each waited ~9 ms for the refresh. */
const late = { intervalMs: REFRESH, slackMs: Array.from({ length: 30 }, (_, i) => 9 + 0.4 * Math.sin(i)) };

beforeAll(async () => {
  server = await startServer({ port: 0, width: 128, height: 128, maxViewers: 3, token: TOKEN });
});
afterAll(async () => {
  peers.forEach((pc) => pc.close());
  await server?.close();
});

describe('display reports', () => {
  it('refuse what does not fit, saying what to fix: wrong type 415, bad fields 422, too often 429, GET 405, unknown viewer 404', async () => {
    const a = await join();
    const wrongType = await report(a, late, 'text/plain');
    expect(wrongType.status).toBe(415);
    expect(await wrongType.text()).toMatch(/application\/json/);
    const tooSoon = await report(a, late);
    expect(tooSoon.status).toBe(429);
    expect(await tooSoon.text()).toMatch(new RegExp(`one display report per ${MIN_REPORT_GAP_MS} ms`));
    await sleep(MIN_REPORT_GAP_MS + 20);
    const slackPastRefresh = await report(a, { intervalMs: REFRESH, slackMs: [3, 20] });
    expect(slackPastRefresh.status).toBe(422);
    expect(await slackPastRefresh.text()).toMatch(/slackMs/);
    await sleep(MIN_REPORT_GAP_MS + 20);
    const extra = await report(a, { ...late, speed: 'fast' });
    expect(extra.status).toBe(422);
    await sleep(MIN_REPORT_GAP_MS + 20);
    const tooMany = await report(a, { intervalMs: REFRESH, slackMs: Array.from({ length: 500 }, () => 1) });
    expect(tooMany.status).toBe(422);
    const get = await fetch(`${server.url}${a}/display`, { headers: AUTH });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const nobody = await report('/whep/default/00000000-0000-0000-0000-000000000000', late);
    expect(nobody.status).toBe(404);
    expect(server.session.phase!.phaseShift).toBe(0); // nothing refused moved the loop
    await fetch(`${server.url}${a}`, { method: 'DELETE', headers: AUTH });
  });

  it('the first viewer to report paces the ticks; another is told so; when the first leaves, the other paces', async () => {
    const a = await join();
    const b = await join();
    const first = await report(a, late);
    expect(first.status).toBe(200);
    const answer = await first.json();
    expect(answer.paced).toBe(true);
    // Frames waited 8.6–9.4 ms: the ticks move ~7 ms later, keeping a margin before the refresh.
    expect(answer.shiftMs).toBeGreaterThan(6);
    expect(answer.shiftMs).toBeLessThan(8);
    expect(server.session.phase!.phaseShift).toBeCloseTo(answer.shiftMs, 1);
    const other = await (await report(b, late)).json();
    expect(other).toMatchObject({ paced: false, shiftMs: 0, note: 'another viewer paces this stream' });
    await fetch(`${server.url}${a}`, { method: 'DELETE', headers: AUTH });
    await sleep(MIN_REPORT_GAP_MS + 20);
    expect((await (await report(b, late)).json()).paced).toBe(true);
    await fetch(`${server.url}${b}`, { method: 'DELETE', headers: AUTH });
  });
});
