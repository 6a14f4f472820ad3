/**
 * WHEP churn: `viewers` real WebRTC clients (libwebrtc in Node, in a child process of their own)
 * connect to the engine's WHEP endpoint, reach ICE connected, and leave, `rounds` times. Reports
 * the server process's memory before and after, each taken once the server has settled (freed
 * memory handed back, a garbage collection), and the engine's tick p99 with no viewers and during
 * the churn. The two tick samples are taken in alternating blocks (quiet, then churn, repeated) so
 * that the machine's own drift and noise fall on both alike. Each tick's CPU time is measured too:
 * wall time that is not CPU time is the tick waiting while the OS ran something else.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { distribution } from '../engine/profiler.js';
import { startServer } from '../app/server.js';
import { threadCpuMs } from '../native/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = () => Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
/** Waits past the WHEP endpoint's heap trim (1 s after the last departure) and collects garbage. */
const settle = async () => {
  await sleep(1500);
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(1500);
};
/** Rounds per churn block; a quiet block as long as the churn block follows each. */
const ROUNDS_PER_BLOCK = 10;

export interface ChurnResult {
  rounds: number;
  viewers: number;
  connected: number;
  /** Times the viewers' process died (inside libwebrtc) and was replaced. */
  client_process_restarts: number;
  rss_before_mb: number;
  rss_after_mb: number;
  rss_growth_mb: number;
  tick_p99_no_viewers_ms: number | null;
  tick_p99_during_churn_ms: number | null;
  tick_p99_change_pct: number | null;
  tick_p50_no_viewers_ms: number | null;
  tick_p50_during_churn_ms: number | null;
  /** The same ticks' CPU time on the JS thread. */
  tick_cpu_p99_no_viewers_ms: number | null;
  tick_cpu_p99_during_churn_ms: number | null;
  tick_cpu_p99_change_pct: number | null;
}

const changePct = (from: number | undefined, to: number | undefined) =>
  from !== undefined && to !== undefined ? Math.round(((to - from) / from) * 1000) / 10 : null;

export const measureChurn = async (rounds: number, viewers: number, progress: (m: string) => void): Promise<ChurnResult> => {
  const server = await startServer({ port: 0, maxViewers: viewers });
  // The viewers live in their own process (libwebrtc there crashes now and then: ~3 in 300 processes);
  // a crashed one is replaced and its block run again, and the run says how often that happened.
  const spawnClients = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/churn-clients.ts', server.url, String(viewers)], { stdio: ['pipe', 'pipe', 'inherit'] });
    return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
  };
  let clients = spawnClients();
  let restarts = 0;
  const { profiler } = server.session.world;
  profiler.cpuClock = threadCpuMs;
  const { ticks, tickCpu } = profiler;
  let connected = 0;
  let done = 0;
  /** Runs `n` rounds in the client process; returns how many viewers connected. */
  const churn = async (n: number, retry = true): Promise<number> => {
    clients.child.stdin!.write(`${n}\n`);
    let ok = 0;
    for (;;) {
      const next = await clients.lines.next();
      if (next.done) {
        if (!retry || restarts >= 3) throw new Error('the churn clients exited early (see their output above)');
        restarts++;
        progress(`  the churn clients' process died (${clients.child.signalCode ?? clients.child.exitCode}); replacing it and running the block again`);
        await sleep(2000); // the server lets go of the dead process's viewers
        clients = spawnClients();
        return churn(n, false);
      }
      const message = JSON.parse(next.value) as { done?: boolean; connected?: number };
      if (message.done) return ok;
      ok += message.connected ?? 0;
    }
  };
  try {
    await sleep(2000);
    // Warm-up: one round sets up libwebrtc's threads, encoder factories and allocator arenas.
    await churn(1);
    await settle();
    const before = rssMb();
    const quiet: number[] = [];
    const during: number[] = [];
    const quietCpu: number[] = [];
    const duringCpu: number[] = [];
    while (done < rounds) {
      const n = Math.min(ROUNDS_PER_BLOCK, rounds - done);
      ticks.clear();
      tickCpu.clear();
      const started = performance.now();
      connected += await churn(n);
      during.push(...ticks.values());
      duringCpu.push(...tickCpu.values());
      const churnMs = performance.now() - started;
      ticks.clear();
      tickCpu.clear();
      await sleep(churnMs); // no viewers for as long as the churn block took
      quiet.push(...ticks.values());
      quietCpu.push(...tickCpu.values());
      done += n;
      progress(`  churn round ${done}/${rounds}: ${connected} connected, server rss ${rssMb()} MB`);
    }
    await settle();
    const after = rssMb();
    const q = distribution(quiet);
    const d = distribution(during);
    const qc = distribution(quietCpu);
    const dc = distribution(duringCpu);
    return {
      rounds,
      viewers,
      connected,
      client_process_restarts: restarts,
      rss_before_mb: before,
      rss_after_mb: after,
      rss_growth_mb: Math.round((after - before) * 10) / 10,
      tick_p99_no_viewers_ms: q?.p99 ?? null,
      tick_p99_during_churn_ms: d?.p99 ?? null,
      tick_p99_change_pct: changePct(q?.p99, d?.p99),
      tick_p50_no_viewers_ms: q?.p50 ?? null,
      tick_p50_during_churn_ms: d?.p50 ?? null,
      tick_cpu_p99_no_viewers_ms: qc?.p99 ?? null,
      tick_cpu_p99_during_churn_ms: dc?.p99 ?? null,
      tick_cpu_p99_change_pct: changePct(qc?.p99, dc?.p99),
    };
  } finally {
    clients.child.stdin!.end();
    await server.close();
  }
};
