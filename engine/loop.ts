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
  /**
   * Moves the tick phase by `shiftMs` (later when > 0): the next tick and all after it run that much
   * later or sooner, each still one step of engine time, so the rate stays fixed. A next tick moved
   * before NUDGE_MIN_MS after the last one runs then. What a viewer's display pacing calls.
   */
  rephase(shiftMs: number): void;
  /**
   * Nudges snap to a display's refresh grid: with an interval set, a nudged tick runs at the
   * earliest time that is the next tick's time minus whole intervals, not at once. A viewer shows a
   * frame made between two refreshes at the next refresh anyway, and the phase its pacing found is
   * kept. null: nudges run at once.
   */
  snapNudges(intervalMs: number | null): void;
  /** Sum of the shifts rephase() made, ms (nudges not counted). */
  readonly phaseShift: number;
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
  let phaseShift = 0;
  let refreshMs: number | null = null;
  /**
   * (Re)arms the timer for the next tick. Rounded up: Node truncates a delay to whole ms, and a
   * timer that fires before its tick is due only wakes the thread to arm itself again.
   */
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(loop, Math.max(0, Math.ceil(origin + world.time.now + world.time.dt - world.clock.now())));
  };
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
    arm();
  };
  timer = setTimeout(loop, world.time.dt);
  const runNudged = () => {
    nudged = undefined;
    if (stopped) return;
    const now = world.clock.now();
    if (refreshMs !== null) {
      // Snapped to the display: the earliest refresh slot before the next tick (whole intervals earlier).
      const earliest = Math.max(now, lastTickAt + NUDGE_MIN_MS);
      const slots = Math.floor((origin + world.time.now + world.time.dt - earliest) / refreshMs);
      if (slots < 1) return; // the next tick is the first slot
      origin -= slots * refreshMs;
      arm();
      return;
    }
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
    rephase(shiftMs) {
      if (stopped || !Number.isFinite(shiftMs)) return;
      const earliest = lastTickAt + NUDGE_MIN_MS - (world.time.now + world.time.dt);
      const before = origin;
      origin = Math.max(origin + shiftMs, earliest);
      phaseShift += origin - before;
      arm();
    },
    snapNudges(intervalMs) {
      refreshMs = intervalMs !== null && Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : null;
    },
    get phaseShift() {
      return phaseShift;
    },
    get dropped() {
      return dropped;
    },
  };
};
