/** Viewers come and go: every one connects for real, and leaving frees its connection and the feed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.js';
import { viewOnce } from '../../bench/whep-viewer.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, width: 256, height: 256, maxViewers: 10 });
});

afterAll(async () => {
  await server?.close();
});

describe('WHEP churn', () => {
  it('10 viewers connect and leave 5 times: all connect, none is left behind, frames stop when nobody watches, memory is given back', async () => {
    const rssMb = () => process.memoryUsage().rss / 1048576;
    const round = async () => (await Promise.all(Array.from({ length: 10 }, () => viewOnce(server.url)))).filter(Boolean).length;
    const pastTrim = () => new Promise((r) => setTimeout(r, 1500)); // the endpoint trims the heap 1 s after departures
    await round(); // warm-up: libwebrtc's factory threads and first allocations stay
    await pastTrim();
    const before = rssMb();
    let connected = 0;
    for (let i = 0; i < 5; i++) connected += await round();
    expect(connected).toBe(50);
    await pastTrim();
    // Measured here: +19..25 MB with the trim (this process holds the viewers too), +51..85 MB without.
    expect(rssMb() - before).toBeLessThan(40);
    const stats = await (await fetch(`${server.url}/api/webrtc/stats`)).json();
    expect(stats.viewers).toEqual([]);
    expect(server.video.users).toBe(0);
    const sent = server.video.framesSent;
    await new Promise((r) => setTimeout(r, 500));
    expect(server.video.framesSent).toBe(sent); // no conversion work without viewers
  });
});
