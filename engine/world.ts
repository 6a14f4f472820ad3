/**
 * The world: bitecs entity storage plus the context every system reads — time, clock, timers,
 * queues in and out. Time and resources live here, never in globals.
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

export interface WorldContext {
  time: WorldTime;
  /** This world's component columns (never shared with another world). */
  components: Components;
  clock: EngineClock;
  timers: EngineTimers;
  /** Events the engine raised this tick, drained by the output phase. */
  events: { eid: number; event: EngineEvent }[];
  /** Frame-budget timings: every tick's systems, native fills, sends, GC, event-loop delay. */
  profiler: TickProfiler;
  /** Named resources that plugins and systems share (frame rings, actors, sinks). */
  resources: Map<string, unknown>;
}

export type PersonaWorld = World<WorldContext>;

export interface WorldOptions {
  clock: EngineClock;
  /** Ticks per second: 30 or 60. */
  hz: number;
}

export const createPersonaWorld = ({ clock, hz }: WorldOptions): PersonaWorld => {
  const time: WorldTime = { now: clock.now(), dt: 1000 / hz, tick: 0 };
  return createWorld<WorldContext>({
    time,
    components: createComponents(),
    clock,
    timers: new EngineTimers(() => time.now),
    events: [],
    profiler: new TickProfiler(hz * 60),
    resources: new Map(),
  });
};

/** Gets a resource a plugin registered, or throws naming it. */
export const resource = <T>(world: PersonaWorld, key: string): T => {
  if (!world.resources.has(key)) throw new Error(`world resource "${key}" is not registered`);
  return world.resources.get(key) as T;
};
