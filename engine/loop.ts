/**
 * The fixed-step loop: ticks at the world's rate on its clock. Late ticks are caught up (at most
 * `maxCatchUp` at once, the rest counted as dropped) so engine time never drifts from the clock.
 */
import type { Schedule } from './schedule.js';
import type { EngineWorld } from './world.js';

/** Advances engine time by one step and runs the schedule. Tests call this directly. */
export const step = <W extends EngineWorld>(world: W, schedule: Schedule<W>, lateness = 0): void => {
  world.time.now += world.time.dt;
  schedule.runTick(world, lateness);
};

export interface LoopHandle {
  stop(): void;
  /**
   * Input arrived between ticks: run the next tick now rather than at its time, and let the ticks
   * after it follow at the fixed rate from there (the loop is re-phased to the input). Called as
   * often as you like: queued input of one turn is taken by one tick. A tick due within
   * NUDGE_MIN_MS is left to take it; a tick that ran less than NUDGE_MIN_MS ago is followed by the
   * nudged one NUDGE_MIN_MS after it.
   */
  nudge(): void;
  /**
   * Engine time at this moment, between ticks: the clock's time on the loop's phase (world.time.now is
   * the last tick's, up to a step behind). What a sound scheduled on the wall clock must be placed by.
   */
  now(): number;
  /** Ticks skipped because the loop fell too far behind. */
  readonly dropped: number;
}

/**
 * A nudge closer than this to a tick (either side) waits for that tick: it would gain little and
 * would crowd two ticks together.
 */
export const NUDGE_MIN_MS = 4;

/** Runs the schedule in real time until stopped. */
export const startLoop = <W extends EngineWorld>(world: W, schedule: Schedule<W>, maxCatchUp = 3): LoopHandle => {
  let stopped = false;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let nudged: NodeJS.Immediate | undefined;
  let nudgeLater: NodeJS.Timeout | undefined;
  // Engine time `t` is due at wall time origin + t. A nudge moves origin earlier (re-phases).
  let origin = world.clock.now() - world.time.now;
  let lastTickAt = world.clock.now();
  const loop = () => {
    if (stopped) return;
    lastTickAt = world.clock.now();
    const due = Math.floor((world.clock.now() - origin - world.time.now) / world.time.dt);
    const run = Math.min(due, maxCatchUp);
    if (due > run) {
      dropped += due - run;
      world.profiler.droppedTicks += due - run;
      world.time.now += (due - run) * world.time.dt;
    }
    for (let i = 0; i < run; i++) step(world, schedule, world.clock.now() - origin - (world.time.now + world.time.dt));
    const nextAt = origin + world.time.now + world.time.dt;
    timer = setTimeout(loop, Math.max(0, nextAt - world.clock.now()));
  };
  timer = setTimeout(loop, world.time.dt);
  const runNudged = () => {
    nudged = undefined;
    if (stopped) return;
    const now = world.clock.now();
    const untilNext = origin + world.time.now + world.time.dt - now;
    if (untilNext < NUDGE_MIN_MS) return; // due in a moment anyway
    const sinceLast = now - lastTickAt;
    if (sinceLast < NUDGE_MIN_MS) {
      // A tick just ran: take the input NUDGE_MIN_MS after it instead, not a whole step later.
      clearTimeout(nudgeLater);
      nudgeLater = setTimeout(runNudged, NUDGE_MIN_MS - sinceLast);
      return;
    }
    clearTimeout(timer);
    origin = now - (world.time.now + world.time.dt) - 1e-3; // the next tick is due now (a µs early, so rounding never skips it)
    loop();
  };
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(nudgeLater);
      if (nudged) clearImmediate(nudged);
    },
    nudge() {
      // After the current callback: every directive of the line is queued before the tick takes them.
      nudged ??= setImmediate(runNudged);
    },
    now() {
      return Math.max(world.time.now, world.clock.now() - origin);
    },
    get dropped() {
      return dropped;
    },
  };
};
