/**
 * The world: bitecs entity storage plus the context every system reads — time, clock, timers,
 * component columns, queues in and out, and typed resources. Time and resources live here, never
 * in globals. The engine does not know which resources the systems need: `R` is theirs (see
 * systems/resources.ts), given when the world is created.
 */
import { createWorld, type World } from 'bitecs';
import type { EngineEvent } from '../protocol/events.js';
import type { EngineClock } from './clock.js';
import { EngineTimers } from './timers.js';
import { TickProfiler } from './profiler.js';
import { createComponents, type Components } from './components.js';

export interface WorldTime {
  /** Engine time of the current tick, ms. */
  now: number;
  /** Fixed step, ms. */
  dt: number;
  /** Ticks run so far. */
  tick: number;
}

export interface WorldContext<R extends object = object> {
  time: WorldTime;
  /** This world's component columns (never shared with another world). */
  components: Components;
  clock: EngineClock;
  timers: EngineTimers;
  /** Events the engine raised this tick, drained by the output phase. */
  events: { eid: number; event: EngineEvent }[];
  /** Frame-budget timings: every tick's systems, native fills, sends, GC, event-loop delay. */
  profiler: TickProfiler;
  /** The resources systems share (frame rings, actors, sinks), as typed fields (Bevy's `Res<T>`). */
  resources: R;
}

/** A world as the engine sees it; systems use `EngineWorld<TheirResources>`. */
export type EngineWorld<R extends object = object> = World<WorldContext<R>>;

export interface WorldOptions<R extends object> {
  clock: EngineClock;
  /** Ticks per second: 30 or 60. */
  hz: number;
  resources: R;
}

export const createEngineWorld = <R extends object>({ clock, hz, resources }: WorldOptions<R>): EngineWorld<R> => {
  const time: WorldTime = { now: clock.now(), dt: 1000 / hz, tick: 0 };
  return createWorld<WorldContext<R>>({
    time,
    components: createComponents(),
    clock,
    timers: new EngineTimers(() => time.now),
    events: [],
    profiler: new TickProfiler(hz * 60),
    resources,
  });
};
