/**
 * The fuzz and abuse suite (issue 11): the real server (app/server.ts, in a child process on
 * 127.0.0.1) under seeded random WebSocket messages, HTTP requests, WHEP offers and trickle ICE;
 * and Character Cards through the parser and the `persona import-card` CLI.
 *
 * Every case must be answered with a reason (4xx with an error, a WebSocket `error` message, a
 * close with a code or reason, an Error for a card) or accepted: never a crash, a 5xx or a hang.
 * After each batch the server must still answer /api/health and an honest client must still get a
 * reply to a chat line. Every case is made from (seed, target, index) alone, so a failure replays
 * with `npm run fuzz -- --seed S --case target:index`.
 *
 * `runFuzz` returns a JSON report: cases and answers by kind per target, failures (crashes first),
 * known bugs found in code this suite does not own, server RSS before and after (each after a GC),
 * and /api/health latency sampled throughout.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { runCardCase, runCardCliCase } from './fuzz-cards.js';
import { runHttpCases } from './fuzz-http.js';
import { apiLeftOpen } from './fuzz-api.js';
import { InFlight, Tally, sleep, type Failure, type FuzzContext, type Target } from './fuzz-report.js';
import { decodeMessage, encodeMessage } from '../protocol/wire.js';
import { percentile } from './fuzz-rng.js';
import { runSdpCases } from './fuzz-sdp.js';
import { ServerUnderFuzz, type ServerMemory } from './fuzz-target.js';
import { newWsStats, openClient, runWsCases } from './fuzz-ws.js';

export interface FuzzOptions {
  seed: number;
  wsCases: number;
  httpCases: number;
  sdpCases: number;
  cardCases: number;
  /** Cards (of the first `cardCases`) also run through `persona import-card`; each takes a second or two. */
  cardCliCases?: number;
  /** Batches the network cases are cut into; after each the server must still be healthy. */
  batches?: number;
  /** Shared WebSocket connections, each paced under the server's flood limit. */
  wsLanes?: number;
  /**
   * Seconds the server is left idle before the "before" and "after" memory readings, sampled each second.
   * V8 keeps a young generation grown under load (16 → 32 MB under the WebSocket flood) until its memory
   * reducer sees a few quiet seconds, so a reading taken at once counts that as growth. 0: read at once.
   */
  settleS?: number;
  /** Only this case (replay): "ws:123", "http:7", "sdp:42", "card:9". */
  only?: string;
  /** Told how far the run has got. */
  onProgress?: (line: string) => void;
}

export interface BatchHealth {
  batch: number;
  /** /api/health answered 200 after the batch. */
  health: boolean;
  /** An honest client got a reply to "nod" after the batch, in ms; null when it did not. */
  honestReplyMs: number | null;
  /** The server's RSS after the batch, after a GC: a leak shows as a steady climb. */
  rssMb: number | null;
  /** Where that RSS is (see ServerMemory.detail). */
  memory: Record<string, number | null> | null;
}

export interface FuzzReport {
  seed: number;
  startedAt: string;
  durationS: number;
  machine: { cpus: number; node: string };
  cases: Record<Target, number> & { total: number };
  /** How each target's cases were answered, by kind, and the first case of each kind. */
  answers: Record<Target, Record<string, number>>;
  examples: Record<Target, Record<string, string>>;
  crashes: number;
  failureCounts: Record<string, number>;
  /** Every failure, crashes first; each with its seed and index, to replay it. */
  failures: Failure[];
  knownBugs: Record<string, { count: number; example: string }>;
  findings: Record<string, { count: number; example: string }>;
  server: {
    rssBeforeMb: number | null;
    rssAfterMb: number | null;
    heapUsedBeforeMb: number | null;
    heapUsedAfterMb: number | null;
    /** RSS each second of the idle wait before each reading (MB, after a GC; the last is the reading). */
    /** The settled RSS halfway through the batches (null without a settle): after − half is the second half's growth. */
    rssHalfMb: number | null;
    rssBeforeSeries: number[];
    rssHalfSeries: number[];
    rssAfterSeries: number[];
    memoryHalf: Record<string, number | null> | null;
    memoryBefore: Record<string, number | null> | null;
    memoryAfter: Record<string, number | null> | null;
    /** RSS figures are taken after a full GC in the server (it runs with --expose-gc). */
    afterGc: boolean;
    restarts: number;
    /** Object.prototype gained properties during the run (prototype pollution). */
    prototypePolluted: boolean;
    /** WebSocket clients and WHEP viewers still held after everything closed. */
    clientsLeft: number | null;
    viewersLeft: number | null;
    /** /api/events streams and /mcp sessions the cases left open (seen from outside: opened until the server refuses). */
    eventStreamsLeft: number | null;
    mcpSessionsLeft: number | null;
    /** What the server wrote to stderr, by kind (its own log of dropped clients, bad frames…). */
    stderr: Record<string, number>;
  };
  health: { samples: number; failed: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
  batches: BatchHealth[];
  ws: ReturnType<typeof newWsStats>;
}

/** Health answered within this long counts; the sampler asks every HEALTH_EVERY_MS. */
const HEALTH_TIMEOUT_MS = 5_000;
const HEALTH_EVERY_MS = 100;

/**
 * Asks /api/health every HEALTH_EVERY_MS while `sampling`, from a worker thread: the fuzzer's own
 * work (building a 6 MiB message, masking it) would otherwise stall the sampler and be counted
 * against the server.
 */
class HealthSampler {
  private readonly worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     let url = '', sampling = false; const ms = []; let failed = 0;
     parentPort.on('message', (m) => {
       if (m.type === 'set') ({ url, sampling } = m);
       if (m.type === 'stop') { clearInterval(timer); parentPort.postMessage({ ms, failed }); }
     });
     const timer = setInterval(async () => {
       if (!sampling) return;
       const started = performance.now();
       try {
         const response = await fetch(url + '/api/health', { signal: AbortSignal.timeout(${HEALTH_TIMEOUT_MS}) });
         await response.arrayBuffer();
         if (!sampling) return;
         if (response.status === 200) ms.push(performance.now() - started); else failed++;
       } catch { if (sampling) failed++; }
     }, ${HEALTH_EVERY_MS});`,
    { eval: true },
  );
  private state = { url: '', sampling: false };

  set url(url: string) {
    this.state.url = url;
    this.worker.postMessage({ type: 'set', ...this.state });
  }
  set sampling(on: boolean) {
    this.state.sampling = on;
    this.worker.postMessage({ type: 'set', ...this.state });
  }

  async stop(): Promise<{ ms: number[]; failed: number }> {
    const result = new Promise<{ ms: number[]; failed: number }>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage({ type: 'stop' });
    const samples = await result;
    await this.worker.terminate();
    return samples;
  }
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
const slice = (total: number, batches: number, b: number) => range(Math.floor((total * b) / batches), Math.floor((total * (b + 1)) / batches));

/** An honest client: connects, says "nod", and must get its reply. Resolves with the reply's latency, or null. */
const honestChat = async (url: string): Promise<number | null> => {
  let ws: Awaited<ReturnType<typeof openClient>> | null = null;
  try {
    ws = await openClient(url, () => false);
    const socket = ws;
    const sent = performance.now();
    return await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 5_000);
      socket.on('message', (data: Buffer) => {
        const message = decodeMessage(data) as { type?: string; inReplyTo?: string };
        if (message.type === 'reply' && message.inReplyTo === 'nod') {
          clearTimeout(timer);
          resolve(Math.round(performance.now() - sent));
        }
      });
      socket.send(encodeMessage({ type: 'chat', text: 'nod' }));
    });
  } catch {
    return null;
  } finally {
    ws?.terminate();
  }
};

const healthOnce = async (url: string): Promise<number | null> => {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.status === 200 ? performance.now() - started : null;
  } catch {
    return null;
  }
};

export const runFuzz = async (options: FuzzOptions): Promise<FuzzReport> => {
  const { seed, onProgress = () => undefined } = options;
  const started = Date.now();
  const tally = new Tally(seed);
  const server = new ServerUnderFuzz();
  await server.start();
  let restarts = 0;
  const ctx: FuzzContext = {
    seed,
    url: server.url,
    port: server.port,
    tally,
    inFlight: new InFlight(),
    stopped: () => !server.alive,
    fail: async (failure) => {
      await Promise.race([server.exited(), sleep(500)]);
      if (server.alive) tally.fail(failure);
    },
  };
  let suspects: [string, string][] = [];
  server.onCrash = () => (suspects = ctx.inFlight.snapshot());
  const wsStats = newWsStats();
  const batchHealth: BatchHealth[] = [];

  /** The server's memory once it has been idle `settleS` seconds (sampled each second: the series is reported). */
  const settledMemory = async (series: number[]): Promise<ServerMemory | null> => {
    let memory = await server.memory();
    for (let s = 0; s < (options.settleS ?? 0); s++) {
      if (memory) series.push(memory.rssMb);
      await sleep(1000);
      memory = await server.memory();
    }
    if (memory) series.push(memory.rssMb);
    return memory;
  };

  // Warm up (JIT, pools, the first chat turn), then the baseline memory.
  await honestChat(server.url);
  const rssBeforeSeries: number[] = [];
  const before: ServerMemory | null = await settledMemory(rssBeforeSeries);
  const rssHalfSeries: number[] = [];
  let half: ServerMemory | null = null;

  const sampler = new HealthSampler();
  sampler.url = ctx.url;

  /** When the server has gone: one crash failure naming the cases in flight, then a fresh server. */
  const afterCrash = async (batch: number) => {
    const exit = server.exit!;
    await sleep(600); // failures held back by ctx.fail see the server gone and drop themselves
    tally.fail({
      kind: 'crash',
      target: 'server',
      index: batch,
      input: suspects.length ? `the cases in flight (replay each with --case):\n  ${suspects.slice(0, 30).map(([key, input]) => `${key} ${input}`).join('\n  ')}` : '(no case in flight)',
      what: `the server exited during batch ${batch} (code ${exit.code}, signal ${exit.signal}); its last words:\n    ${exit.stderrTail.slice(-15).join('\n    ')}`,
    });
    ctx.inFlight.clear();
    suspects = [];
    await server.start();
    restarts++;
    ctx.url = server.url;
    ctx.port = server.port;
    sampler.url = ctx.url;
  };

  try {
    if (options.only) {
      const [target, indexText] = options.only.split(':');
      const index = Number(indexText);
      if (!Number.isInteger(index) || index < 0) throw new Error(`--case wants target:index, e.g. ws:123; got "${options.only}"`);
      if (target === 'ws') await runWsCases(ctx, [index], wsStats, { lanes: 1, ownWorkers: 1 });
      else if (target === 'http') await runHttpCases(ctx, [index], { concurrency: 1 });
      else if (target === 'sdp') await runSdpCases(ctx, [index], { workers: 1 });
      else if (target === 'card') runCardCase(seed, tally, index);
      else throw new Error(`unknown target "${target}": use ws, http, sdp or card`);
      if (!server.alive) await afterCrash(0);
    } else {
      const batches = Math.max(1, options.batches ?? 3);
      for (let b = 0; b < batches; b++) {
        sampler.sampling = true;
        await Promise.all([
          runWsCases(ctx, slice(options.wsCases, batches, b), wsStats, { lanes: options.wsLanes ?? 8 }),
          runHttpCases(ctx, slice(options.httpCases, batches, b)),
          runSdpCases(ctx, slice(options.sdpCases, batches, b)),
        ]);
        sampler.sampling = false;
        if (!server.alive) await afterCrash(b);
        const health = (await healthOnce(ctx.url)) !== null;
        const honestReplyMs = await honestChat(ctx.url);
        const memory = await server.memory();
        batchHealth.push({ batch: b, health, honestReplyMs, rssMb: memory?.rssMb ?? null, memory: memory?.detail ?? null });
        if (!health || honestReplyMs === null) {
          tally.fail({ kind: 'unhealthy', target: 'server', index: b, input: `after batch ${b}`, what: `${health ? '' : '/api/health did not answer 200; '}${honestReplyMs === null ? 'an honest client got no reply to "nod" within 5 s' : ''}` });
        }
        const done = tally.cases.ws + tally.cases.http + tally.cases.sdp;
        onProgress(`batch ${b + 1}/${batches}: ${done} network cases, ${tally.failures.length} failures`);
        // Halfway, the settled memory again: the second half's growth tells slow growth from first-use costs.
        if ((options.settleS ?? 0) > 0 && batches >= 2 && b === Math.floor(batches / 2) - 1) {
          sampler.sampling = false;
          half = await settledMemory(rssHalfSeries);
        }
      }
      // Cards are parsed here, in this process (the sampler rests: parsing would stall it, not the server).
      const cliCases = Math.min(options.cardCliCases ?? 0, options.cardCases);
      const cli = (async () => {
        for (const index of range(0, cliCases)) await runCardCliCase(seed, tally, index);
      })();
      for (const index of range(0, options.cardCases)) {
        runCardCase(seed, tally, index);
        if (index % 20 === 19) await new Promise((r) => setImmediate(r)); // let the CLI runs' pipes drain
      }
      await cli;
      onProgress(`cards: ${options.cardCases} parsed, ${cliCases} through persona import-card`);
    }
    sampler.sampling = false;
    if (!server.alive) await afterCrash(options.batches ?? 3); // went between the last check and now
  } catch (error) {
    await sampler.stop();
    await server.stop();
    throw error;
  }
  const health = await sampler.stop();

  await sleep(800); // closes settle, and failures held back by ctx.fail are recorded
  const left = await apiLeftOpen(ctx.url).catch(() => null);
  const rssAfterSeries: number[] = [];
  const after = await settledMemory(rssAfterSeries);
  await server.stop();
  const failures = [...tally.failures].sort((a, b) => Number(b.kind === 'crash') - Number(a.kind === 'crash'));
  const failureCounts: Record<string, number> = {};
  for (const f of failures) failureCounts[f.kind] = (failureCounts[f.kind] ?? 0) + 1;
  const round = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);
  return {
    seed,
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 100) / 10,
    machine: { cpus: os.cpus().length, node: process.version },
    cases: { ...tally.cases, total: tally.cases.ws + tally.cases.http + tally.cases.sdp + tally.cases.card },
    answers: tally.answers,
    examples: tally.examples,
    crashes: failureCounts.crash ?? 0,
    failureCounts,
    failures,
    knownBugs: tally.knownBugs,
    findings: tally.findings,
    server: {
      rssBeforeMb: before?.rssMb ?? null,
      rssAfterMb: after?.rssMb ?? null,
      heapUsedBeforeMb: before?.heapUsedMb ?? null,
      heapUsedAfterMb: after?.heapUsedMb ?? null,
      rssHalfMb: half?.rssMb ?? null,
      rssBeforeSeries,
      rssHalfSeries,
      rssAfterSeries,
      memoryHalf: half?.detail ?? null,
      memoryBefore: before?.detail ?? null,
      memoryAfter: after?.detail ?? null,
      afterGc: Boolean(before?.gc && after?.gc),
      restarts,
      prototypePolluted: before !== null && after !== null && after.prototypeKeys !== before.prototypeKeys,
      clientsLeft: after?.clients ?? null,
      viewersLeft: after?.viewers ?? null,
      eventStreamsLeft: left?.eventStreamsLeft ?? null,
      mcpSessionsLeft: left?.mcpSessionsLeft ?? null,
      stderr: server.stderrKinds,
    },
    health: { samples: health.ms.length, failed: health.failed, p50Ms: round(percentile(health.ms, 50)), p99Ms: round(percentile(health.ms, 99)), maxMs: round(percentile(health.ms, 100)) },
    batches: batchHealth,
    ws: wsStats,
  };
};

/** A few lines for a person: cases, failures, known bugs, memory, health. */
export const summarize = (report: FuzzReport): string => {
  const lines = [
    `fuzz seed ${report.seed}: ${report.cases.total} cases in ${report.durationS} s (ws ${report.cases.ws}, http ${report.cases.http}, sdp/trickle ${report.cases.sdp}, cards ${report.cases.card})`,
    `crashes ${report.crashes}; failures ${report.failures.length}${report.failures.length ? ` (${Object.entries(report.failureCounts).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`,
    `server RSS ${report.server.rssBeforeMb} MB before, ${report.server.rssHalfMb !== null ? `${report.server.rssHalfMb} MB halfway, ` : ''}${report.server.rssAfterMb} MB after${report.server.afterGc ? ' (each after a GC)' : ''}${report.server.rssAfterSeries.length > 1 ? ` (after, each second idle: ${report.server.rssAfterSeries.join(', ')})` : ''}; restarts ${report.server.restarts}; clients left ${report.server.clientsLeft}, viewers left ${report.server.viewersLeft}, event streams left ${report.server.eventStreamsLeft}, MCP sessions left ${report.server.mcpSessionsLeft}${report.server.prototypePolluted ? '; Object.prototype POLLUTED' : ''}`,
    `/api/health during the run: p50 ${report.health.p50Ms} ms, p99 ${report.health.p99Ms} ms, max ${report.health.maxMs} ms over ${report.health.samples} samples (${report.health.failed} failed)`,
    `after each batch: ${report.batches.map((b) => (b.health && b.honestReplyMs !== null ? `ok (reply ${b.honestReplyMs} ms)` : 'UNHEALTHY')).join(', ') || '–'}`,
    `server RSS after each batch (MB, after a GC): ${report.batches.map((b) => b.rssMb ?? '?').join(', ') || '–'}`,
  ];
  for (const [bug, { count }] of Object.entries(report.knownBugs)) lines.push(`known bug ×${count}: ${bug}`);
  for (const f of report.failures.slice(0, 10)) lines.push(`FAILURE ${f.kind} ${f.target}:${f.index} — ${f.what.split('\n')[0]}\n  input: ${f.input.split('\n')[0]}`);
  return lines.join('\n');
};
