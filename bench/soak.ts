/**
 * `npm run soak -- --minutes N`: one live session (512² puppet at 30 Hz, preview frames encoded as
 * if sent) under random directives for N minutes. Reports RSS drift, dropped ticks, skipped frames
 * and tick percentiles; writes JSON (default bench/results/soak.json). Asserts nothing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeFrameInto, frameMessageSize } from '../protocol/frame-encoding.js';
import { distribution } from '../engine/profiler.js';

import { PersonaSession } from '../app/session.js';
import { randomDirectives } from './random-directives.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = () => Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;

export const runSoak = async ({ minutes, out }: { minutes: number; out: string }): Promise<void> => {
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got ${minutes}`);
  const session = new PersonaSession();
  let frames = 0;
  const previewBuffer = new Uint8Array(frameMessageSize(session.width, session.height));
  session.onFrame((frame) => {
    encodeFrameInto(previewBuffer, frame.seq, frame.width, frame.height, frame.rgba); // as the server would send it
    frames++;
  });
  const next = randomDirectives(42);
  const ticks: number[] = [];
  session.start();
  await sleep(10_000); // warm-up: JIT, pools and heap settle before the baseline
  const rssStart = mb();
  const started = performance.now();
  const end = started + minutes * 60_000;
  const rssSamples: { minute: number; rssMb: number }[] = [{ minute: 0, rssMb: rssStart }];
  let nextReport = started + 60_000;
  let directives = 0;
  while (performance.now() < end) {
    session.submit(next());
    directives++;
    await sleep(500 + Math.random() * 1500);
    ticks.push(...session.world.profiler.ticks.values());
    session.world.profiler.ticks.clear();
    if (performance.now() >= nextReport) {
      const minute = Math.round((performance.now() - started) / 60_000);
      rssSamples.push({ minute, rssMb: mb() });
      process.stderr.write(`soak: ${minute}/${minutes} min, rss ${mb()} MB, dropped ${session.droppedTicks}\n`);
      nextReport += 60_000;
    }
  }
  const skipped = [...session.world.resources.frameRings.values()].reduce((a, r) => a + r.skipped, 0);
  const dropped = session.droppedTicks;
  session.stop();
  const rssEnd = mb();
  const result = {
    minutes,
    rss_start_mb: rssStart,
    rss_end_mb: rssEnd,
    rss_drift_mb: Math.round((rssEnd - rssStart) * 10) / 10,
    rss_samples: rssSamples,
    tick_ms: distribution(ticks),
    dropped_ticks: dropped,
    skipped_frames: skipped,
    frames_published: frames,
    directives,
  };
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`soak ${minutes} min: rss ${rssStart} → ${rssEnd} MB (drift ${result.rss_drift_mb}), tick p50 ${result.tick_ms?.p50} p99 ${result.tick_ms?.p99} ms, dropped ${result.dropped_ticks}, skipped frames ${skipped}, ${frames} frames`);
  console.log(`wrote ${out}`);
};
