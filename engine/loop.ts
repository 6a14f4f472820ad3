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
  /** Ticks skipped because the loop fell too far behind. */
  readonly dropped: number;
}

/** Runs the schedule in real time until stopped. */
export const startLoop = <W extends EngineWorld>(world: W, schedule: Schedule<W>, maxCatchUp = 3): LoopHandle => {
  let stopped = false;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  const origin = world.clock.now() - world.time.now;
  const loop = () => {
    if (stopped) return;
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
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    get dropped() {
      return dropped;
    },
  };
};
