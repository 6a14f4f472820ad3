/** The real-time loop's phase: moved by display pacing (rephase) and nudges snapped to a display's refresh. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RealClock } from '../clock.js';
import { NUDGE_MIN_MS, startLoop, type LoopHandle } from '../loop.js';
import { Schedule } from '../schedule.js';
import { createEngineWorld } from '../world.js';

const DT = 1000 / 30;
const REFRESH = 1000 / 60;
let loop: LoopHandle | null = null;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
});
afterEach(() => {
  loop?.stop();
  loop = null;
  vi.useRealTimers();
});

/** A 30 Hz loop recording the wall time (fake clock) of every tick. */
const start = () => {
  const world = createEngineWorld({ clock: new RealClock(), hz: 30, resources: {} });
  const ticks: number[] = [];
  const schedule = new Schedule().add('input', 'record', (w) => void ticks.push(w.clock.now()));
  loop = startLoop(world, schedule);
  return { world, ticks, loop };
};
const gaps = (ticks: number[]) => ticks.slice(1).map((t, i) => t - ticks[i]!);

describe('loop phase', () => {
  it('rephase moves every later tick by the shift; the gaps stay one step, engine time one step per tick', async () => {
    const { world, ticks, loop } = start();
    await vi.advanceTimersByTimeAsync(5 * DT + 1);
    const before = ticks.length;
    loop.rephase(10);
    expect(loop.phaseShift).toBe(10);
    await vi.advanceTimersByTimeAsync(10 * DT);
    const after = gaps(ticks.slice(before - 1));
    expect(after[0]).toBeGreaterThanOrEqual(DT + 10 - 1); // the one longer gap
    expect(after[0]).toBeLessThanOrEqual(DT + 10 + 1);
    for (const gap of after.slice(1)) expect(Math.abs(gap - DT)).toBeLessThanOrEqual(1);
    expect(world.time.now).toBeCloseTo(ticks.length * DT, 6);
  });

  it('an earlier phase never brings a tick closer than NUDGE_MIN_MS to the last one', async () => {
    const { ticks, loop } = start();
    await vi.advanceTimersByTimeAsync(3 * DT + 0.5);
    const last = ticks.at(-1)!;
    loop.rephase(-40);
    expect(loop.phaseShift).toBeCloseTo(-(DT - NUDGE_MIN_MS - (performance.now() - last)) - (performance.now() - last), 0);
    await vi.advanceTimersByTimeAsync(DT);
    expect(ticks.at(-2)! - last).toBe(0); // the last tick before the shift…
    expect(ticks.at(-1)! - last).toBeGreaterThanOrEqual(NUDGE_MIN_MS); // …is followed no sooner than NUDGE_MIN_MS
    expect(ticks.at(-1)! - last).toBeLessThanOrEqual(NUDGE_MIN_MS + 1);
  });

  it('a nudge runs a tick at once, or, snapped to a display, at the earliest refresh slot before the next tick', async () => {
    const { ticks, loop } = start();
    /** Waits for the next tick, then `ms` more, nudges, and returns [the nudge's time, that tick's]. */
    const nudgeAfter = async (ms: number) => {
      const seen = ticks.length;
      while (ticks.length === seen) await vi.advanceTimersByTimeAsync(1);
      const last = ticks.at(-1)!;
      await vi.advanceTimersByTimeAsync(last + ms - performance.now());
      loop.nudge();
      return [performance.now(), last] as const;
    };
    await vi.advanceTimersByTimeAsync(4 * DT);
    let [at, last] = await nudgeAfter(6); // unsnapped: the nudged tick runs now
    await vi.advanceTimersByTimeAsync(1);
    expect(ticks.at(-1)!).toBeCloseTo(at, 0);

    loop.snapNudges(REFRESH);
    await vi.advanceTimersByTimeAsync(DT + 1); // the next tick, on the new phase
    [at, last] = await nudgeAfter(6); // the slot one refresh before the next tick: DT − REFRESH after the last
    await vi.advanceTimersByTimeAsync(REFRESH);
    expect(ticks.at(-1)! - last).toBeGreaterThanOrEqual(DT - REFRESH - 1);
    expect(ticks.at(-1)! - last).toBeLessThanOrEqual(DT - REFRESH + 1);
    // The ticks after it keep the step, on the refresh grid.
    await vi.advanceTimersByTimeAsync(3 * DT);
    for (const gap of gaps(ticks.slice(-3))) expect(Math.abs(gap - DT)).toBeLessThanOrEqual(1);

    [at, last] = await nudgeAfter(20); // no slot before the next tick (13.3 ms away): that tick takes it
    const count = ticks.length;
    await vi.advanceTimersByTimeAsync(DT - 19);
    expect(ticks.length).toBe(count + 1); // one tick, at its time
    expect(ticks.at(-1)! - last).toBeGreaterThanOrEqual(DT - 1);
    expect(ticks.at(-1)! - last).toBeLessThanOrEqual(DT + 1);

    loop.snapNudges(null); // the viewer left: nudges run at once again
    [at, last] = await nudgeAfter(10);
    await vi.advanceTimersByTimeAsync(1);
    expect(ticks.at(-1)!).toBeCloseTo(at, 0);
  });
});
