/**
 * How many independent persona sessions one process keeps within budget: each its own world at
 * 30 Hz, its own 512² puppet fills, and its preview frames encoded as they would be sent. The
 * count steps up until a step's worst tick p99 leaves the budget or any frame is dropped.
 */
import { encodeFrameInto, frameMessageSize } from '../protocol/frame-encoding.js';
import { distribution } from '../engine/profiler.js';

import { PersonaSession } from '../app/session.js';
import { randomDirectives } from './random-directives.js';

export interface SessionStep {
  sessions: number;
  worstTickP99: number;
  droppedTicks: number;
  skippedFrames: number;
  framesPublished: number;
  withinBudget: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const runStep = async (count: number, seconds: number): Promise<SessionStep> => {
  const sessions = Array.from({ length: count }, () => new PersonaSession({ fps: 30, width: 512, height: 512 }));
  let published = 0;
  for (const s of sessions) {
    const previewBuffer = new Uint8Array(frameMessageSize(s.width, s.height));
    s.onFrame((frame) => {
      encodeFrameInto(previewBuffer, frame.seq, frame.width, frame.height, frame.rgba); // as the server would send it
      published++;
    });
  }
  const streams = sessions.map((_, i) => randomDirectives(100 + i));
  sessions.forEach((s) => s.start());
  await sleep(1000); // warm-up, not counted
  for (const s of sessions) {
    s.world.profiler.ticks.clear();
    for (const ring of s.world.resources.frameRings.values()) ring.skipped = 0;
  }
  const droppedBefore = sessions.map((s) => s.droppedTicks);
  published = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    sessions.forEach((s, i) => s.submit(streams[i]!()));
    await sleep(500);
  }
  const p99s = sessions.map((s) => distribution(s.world.profiler.ticks.values())?.p99 ?? Infinity);
  const dropped = sessions.reduce((sum, s, i) => sum + s.droppedTicks - droppedBefore[i]!, 0);
  const skipped = sessions.reduce((sum, s) => sum + [...s.world.resources.frameRings.values()].reduce((a, r) => a + r.skipped, 0), 0);
  sessions.forEach((s) => s.stop());
  const budget = 1000 / 30;
  const worst = Math.max(...p99s);
  return {
    sessions: count,
    worstTickP99: Math.round(worst * 1000) / 1000,
    droppedTicks: dropped,
    skippedFrames: skipped,
    framesPublished: published,
    withinBudget: worst <= budget && dropped === 0 && skipped === 0,
  };
};

export const measureSessionsPerMachine = async (
  seconds: number,
  progress: (message: string) => void,
  counts = [1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48],
): Promise<{ sessions: number; steps: SessionStep[] }> => {
  const steps: SessionStep[] = [];
  let best = 0;
  for (const count of counts) {
    const step = await runStep(count, seconds);
    steps.push(step);
    progress(`  ${count} sessions: worst tick p99 ${step.worstTickP99} ms, dropped ${step.droppedTicks}, skipped frames ${step.skippedFrames} → ${step.withinBudget ? 'ok' : 'over'}`);
    if (!step.withinBudget) break;
    best = count;
  }
  return { sessions: best, steps };
};
