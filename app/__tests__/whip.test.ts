/**
 * Pushing to a WHIP ingest. The ingest here is a small HTTP server around a real libwebrtc peer
 * (what an SFU's WHIP input does), so the push is real WebRTC: offer, answer, ICE, decoded frames.
 * It refuses the first attempts, so the client's backoff and retry are exercised.
 */
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.js';
import { WhipPusher, type WhipStatus } from '../webrtc/whip-client.js';
import { wrtc } from '../webrtc/wrtc.js';

const TOKEN = 'ingest-secret';

const startIngest = async (refuseFirst: number) => {
  let posts = 0;
  let framesReceived = 0;
  const deletes: string[] = [];
  const peers: RTCPeerConnection[] = [];
  const server = http.createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return res.writeHead(401).end('bad token');
    if (req.method === 'DELETE') {
      deletes.push(req.url!);
      return res.writeHead(200).end();
    }
    posts++;
    if (posts <= refuseFirst) return res.writeHead(503).end('ingest busy');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    peers.push(pc);
    pc.addEventListener('track', (event: RTCTrackEvent) => {
      const Sink = (wrtc.nonstandard as unknown as { RTCVideoSink: new (t: MediaStreamTrack) => { onframe: () => void; stop(): void } }).RTCVideoSink;
      const sink = new Sink(event.track);
      sink.onframe = () => framesReceived++;
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: Buffer.concat(chunks).toString() });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => setTimeout(r, 300)); // gather host candidates on loopback
    res.writeHead(201, { 'content-type': 'application/sdp', location: `/whip/stream-${posts}` }).end(pc.localDescription!.sdp);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/whip`,
    get posts() {
      return posts;
    },
    get framesReceived() {
      return framesReceived;
    },
    deletes,
    /** Drops every connection without a word, as a crashed or restarted ingest does. */
    drop: () => peers.splice(0).forEach((p) => p.close()),
    close: () => {
      peers.forEach((p) => p.close());
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

let app: RunningServer | undefined;
afterAll(async () => {
  await app?.close();
});

describe('WHIP push', () => {
  it('retries with growing backoff while the ingest refuses, then streams frames; stop() DELETEs the resource', async () => {
    const ingest = await startIngest(2);
    app = await startServer({ port: 0, width: 256, height: 256 });
    const statuses: WhipStatus[] = [];
    const pusher = new WhipPusher(app.video, { url: ingest.url, token: TOKEN, minBackoffMs: 100, maxBackoffMs: 1000, onStatus: (s) => statuses.push(s) });
    pusher.start();
    const deadline = Date.now() + 15_000;
    while (ingest.framesReceived < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ingest.framesReceived).toBeGreaterThanOrEqual(10);
    const retries = statuses.filter((s) => s.state === 'retrying');
    expect(retries.map((r) => r.retryInMs)).toEqual([100, 200]);
    expect(retries[0]!.reason).toMatch(/answered 503: ingest busy/);
    expect(pusher.status.state).toBe('connected');
    await pusher.stop();
    expect(ingest.deletes).toEqual(['/whip/stream-3']);
    expect(pusher.status.state).toBe('stopped');
    await ingest.close();
  });

  it('stays up while the ingest lives, and reconnects when it drops the connection', async () => {
    const ingest = await startIngest(0);
    app ??= await startServer({ port: 0, width: 256, height: 256 });
    const statuses: WhipStatus[] = [];
    const pusher = new WhipPusher(app.video, { url: ingest.url, token: TOKEN, minBackoffMs: 100, onStatus: (s) => statuses.push(s) });
    pusher.start();
    const waitFor = async (done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await waitFor(() => ingest.framesReceived >= 10, 15_000);
    await new Promise((r) => setTimeout(r, 7000)); // longer than the silence timeout: a live ingest is never taken for gone
    expect(ingest.posts).toBe(1);
    expect(pusher.status.state).toBe('connected');
    ingest.drop();
    await waitFor(() => ingest.posts >= 2 && pusher.status.state === 'connected', 45_000);
    expect(ingest.posts).toBe(2);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'retrying', 'connecting', 'connected']);
    // Noticed by the silence (default 6 s), long before ICE consent would expire (~18 s here).
    expect(statuses[2]!.reason).toBe('nothing heard from the ingest for 6000 ms');
    const frames = ingest.framesReceived;
    await waitFor(() => ingest.framesReceived >= frames + 10, 10_000);
    expect(ingest.framesReceived).toBeGreaterThanOrEqual(frames + 10); // frames flow on the new connection
    await pusher.stop();
    await ingest.close();
  }, 40_000);

  it('keeps retrying, and says why, when the token is wrong', async () => {
    const ingest = await startIngest(0);
    app ??= await startServer({ port: 0, width: 256, height: 256 });
    const statuses: WhipStatus[] = [];
    const pusher = new WhipPusher(app.video, { url: ingest.url, token: 'wrong', minBackoffMs: 50, maxBackoffMs: 100, onStatus: (s) => statuses.push(s) });
    pusher.start();
    await new Promise((r) => setTimeout(r, 600));
    await pusher.stop();
    const retries = statuses.filter((s) => s.state === 'retrying');
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(retries[0]!.reason).toMatch(/answered 401: bad token/);
    expect(retries.at(-1)!.retryInMs).toBe(100); // capped
    await ingest.close();
  });
});
