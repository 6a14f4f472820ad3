/**
 * WHEP churn: `viewers` real WebRTC clients (libwebrtc in Node, in a child process of their own)
 * connect to the engine's WHEP endpoint, reach ICE connected, and leave, `rounds` times. Reports
 * the server process's memory before and after and its tick p99 with no viewers and during the churn.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { distribution } from '../engine/profiler.js';
import { startServer } from '../app/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = () => Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
const collectGarbage = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(200);
};

export interface ChurnResult {
  rounds: number;
  viewers: number;
  connected: number;
  rss_before_mb: number;
  rss_after_mb: number;
  rss_growth_mb: number;
  tick_p99_no_viewers_ms: number | null;
  tick_p99_during_churn_ms: number | null;
  tick_p99_change_pct: number | null;
}

export const measureChurn = async (rounds: number, viewers: number, progress: (m: string) => void): Promise<ChurnResult> => {
  const server = await startServer({ port: 0, maxViewers: viewers });
  try {
    await sleep(2000);
    server.session.world.profiler.ticks.clear();
    await sleep(5000);
    const quiet = distribution(server.session.world.profiler.ticks.values());
    let connected = 0;
    const runClients = async (n: number, report: boolean) => {
      const clients = spawn(process.execPath, ['--import', 'tsx', 'bench/churn-clients.ts', server.url, String(n), String(viewers)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      for await (const line of createInterface({ input: clients.stdout! })) {
        const { round, connected: c } = JSON.parse(line) as { round: number; connected: number };
        if (!report) continue;
        connected += c;
        if (round % 10 === 0) progress(`  churn round ${round}/${n}: ${connected} connected, server rss ${rssMb()} MB`);
      }
    };
    // Warm-up: one full round sets up libwebrtc's threads, encoder factories and allocator arenas.
    await runClients(1, false);
    await collectGarbage();
    const before = rssMb();
    server.session.world.profiler.ticks.clear();
    await runClients(rounds, true);
    const during = distribution(server.session.world.profiler.ticks.values());
    await sleep(2000);
    await collectGarbage();
    const after = rssMb();
    return {
      rounds,
      viewers,
      connected,
      rss_before_mb: before,
      rss_after_mb: after,
      rss_growth_mb: Math.round((after - before) * 10) / 10,
      tick_p99_no_viewers_ms: quiet?.p99 ?? null,
      tick_p99_during_churn_ms: during?.p99 ?? null,
      tick_p99_change_pct: quiet && during ? Math.round(((during.p99 - quiet.p99) / quiet.p99) * 1000) / 10 : null,
    };
  } finally {
    await server.close();
  }
};
