/** The WHEP endpoint's answers to real offers (from libwebrtc in Node) and to bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.js';
import { LOW_LATENCY_FIELD_TRIALS, wrtc } from '../webrtc/wrtc.js';

const TOKEN = 'test-token-0123456789abcdef';
let server: RunningServer;

const makeOffer = async () => {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, sdp: pc.localDescription!.sdp };
};

const post = (sdp: string, path = '/whep', token: string | null = TOKEN, type = 'application/sdp') =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: sdp,
  });

beforeAll(async () => {
  server = await startServer({ port: 0, width: 256, height: 256, maxViewers: 2, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
});

describe('WHEP', () => {
  it('answers an offer with 201, an SDP answer and a Location; DELETE ends that viewer', async () => {
    const { pc, sdp } = await makeOffer();
    const response = await post(sdp);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/sdp');
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/whep\/default\/[0-9a-f-]{36}$/);
    const answer = await response.text();
    expect(answer).toMatch(/^v=0/);
    expect(answer).toMatch(/^m=video /m);
    expect(answer).toMatch(/a=candidate:/); // gathered before answering: no trickle needed
    // The extension that carries our zero playout delay to the viewer (LOW_LATENCY_FIELD_TRIALS).
    expect(answer).toMatch(/a=extmap:\d+ http:\/\/www\.webrtc\.org\/experiments\/rtp-hdrext\/playout-delay/);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    const stats = await (await fetch(`${server.url}/api/webrtc/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(stats.viewers).toHaveLength(1);
    expect(stats.fieldTrials).toBe(LOW_LATENCY_FIELD_TRIALS);
    const del = await fetch(`${server.url}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(del.status).toBe(200);
    const again = await fetch(`${server.url}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(again.status).toBe(404);
    pc.close();
  });

  it('accepts trickled ICE candidates with PATCH', async () => {
    const { pc, sdp } = await makeOffer();
    const response = await post(sdp);
    const location = response.headers.get('location')!;
    const patch = await fetch(`${server.url}${location}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', authorization: `Bearer ${TOKEN}` },
      body: 'a=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n',
    });
    expect(patch.status).toBe(204);
    await fetch(`${server.url}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    pc.close();
  });

  it('says what is wrong: malformed SDP 400, unknown session 404, wrong type 415, missing or wrong token 401', async () => {
    const bad = await post('hello, this is not SDP');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/malformed SDP/);
    const noVideo = await post('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n');
    expect(noVideo.status).toBe(400);
    expect(await noVideo.text()).toMatch(/no video m-line/);
    const { pc, sdp } = await makeOffer();
    const unknown = await post(sdp, '/whep/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/unknown session "nope"/);
    expect((await post(sdp, '/whep', TOKEN, 'text/plain')).status).toBe(415);
    expect((await post(sdp, '/whep', null)).status).toBe(401);
    expect((await post(sdp, '/whep', 'wrong-token-0000000000')).status).toBe(401);
    pc.close();
  });

  it('refuses viewers beyond the limit with 503', async () => {
    const offers = await Promise.all([makeOffer(), makeOffer(), makeOffer()]);
    const statuses: number[] = [];
    const locations: string[] = [];
    for (const { sdp } of offers) {
      const r = await post(sdp);
      statuses.push(r.status);
      if (r.status === 201) locations.push(r.headers.get('location')!);
      else expect(await r.text()).toMatch(/viewer limit reached \(2\)/);
    }
    expect(statuses).toEqual([201, 201, 503]);
    for (const l of locations) await fetch(`${server.url}${l}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    offers.forEach((o) => o.pc.close());
  });
});
