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
  it('10 viewers connect and leave 5 times: all connect, none is left behind, frames stop when nobody watches', async () => {
    let connected = 0;
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => viewOnce(server.url)));
      connected += results.filter(Boolean).length;
    }
    expect(connected).toBe(50);
    const stats = await (await fetch(`${server.url}/api/webrtc/stats`)).json();
    expect(stats.viewers).toEqual([]);
    expect(server.video.users).toBe(0);
    const sent = server.video.framesSent;
    await new Promise((r) => setTimeout(r, 500));
    expect(server.video.framesSent).toBe(sent); // no conversion work without viewers
  });
});
