/**
 * Viewers come and go: every one connects for real, and leaving frees its connection and the feed.
 * The viewers run in a process of their own (bench/churn-clients.ts), so the memory measured is the
 * server's alone: what an operator sees grow or not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.js';
import { VIEWER_CONNECT_TIMEOUT_MS } from '../webrtc/whep.js';

const VIEWERS = 10;
let server: RunningServer;
let clients: ChildProcess;
let lines: AsyncIterator<string>;
let exited: Promise<NodeJS.Signals | number | null>;

const startViewers = () => {
  clients = spawn(process.execPath, ['--import', 'tsx', 'bench/churn-clients.ts', server.url, String(VIEWERS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  exited = new Promise((resolve) => clients.once('exit', (code, signal) => resolve(signal ?? code)));
  lines = createInterface({ input: clients.stdout! })[Symbol.asyncIterator]();
};

/**
 * One round: all VIEWERS connect (ICE connected) and leave; resolves how many connected. libwebrtc
 * in the viewers' process (the client side, not the server under test) very rarely dies of SIGSEGV
 * (seen twice in some 300 processes here); then a new process runs the round again, once the
 * server has let go of the dead one's viewers (about 10 s here: VIEWER_CONNECT_TIMEOUT_MS for those
 * that had not connected yet, ICE for the others).
 */
const round = async (retries = 1): Promise<number> => {
  clients.stdin!.write('1\n');
  let connected = 0;
  for (;;) {
    const next = await lines.next();
    if (next.done) {
      const how = await exited;
      if (how !== 'SIGSEGV' || retries === 0) throw new Error(`the viewers' process exited early (${how}); its output is above`);
      console.warn('whep-churn: the viewers\' process died of SIGSEGV (libwebrtc, client side); running the round again');
      const deadline = Date.now() + 3 * VIEWER_CONNECT_TIMEOUT_MS;
      while (server.video.users > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      startViewers();
      return round(retries - 1);
    }
    const message = JSON.parse(next.value) as { done?: boolean; connected?: number };
    if (message.done) return connected;
    connected += message.connected ?? 0;
  }
};

beforeAll(async () => {
  server = await startServer({ port: 0, width: 256, height: 256, maxViewers: VIEWERS });
  startViewers();
});

afterAll(async () => {
  clients?.kill('SIGKILL');
  await server?.close();
});

describe('WHEP churn', () => {
  it('10 viewers connect and leave 5 times: all connect, none is left behind, frames stop when nobody watches, memory is given back', async () => {
    const rssMb = () => process.memoryUsage().rss / 1048576;
    const pastTrim = () => new Promise((r) => setTimeout(r, 1500)); // the endpoint trims the heap 1 s after departures
    expect(await round()).toBe(VIEWERS); // warm-up: libwebrtc's factory threads and first allocations stay
    await pastTrim();
    const before = rssMb();
    let connected = 0;
    for (let i = 0; i < 5; i++) connected += await round();
    expect(connected).toBe(5 * VIEWERS);
    await pastTrim();
    // Measured here (server alone, 2 vCPUs, 20 runs): -1.7..+4.4 MB. While glibc kept the freed tops
    // of its thread arenas (native/binding/heap_trim.cc) it was +8.5..21 MB, and +31..58 MB when this
    // process also held the viewers (their receive side fragments the same arenas).
    expect(rssMb() - before).toBeLessThan(20);
    const stats = await (await fetch(`${server.url}/api/webrtc/stats`)).json();
    expect(stats.viewers).toEqual([]);
    expect(server.video.users).toBe(0);
    const sent = server.video.framesSent;
    await new Promise((r) => setTimeout(r, 500));
    expect(server.video.framesSent).toBe(sent); // no conversion work without viewers
  }, 60_000);
});
