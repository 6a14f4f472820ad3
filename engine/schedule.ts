/**
 * The tick schedule: named phases in a fixed order, each a list of named systems. All ordering
 * lives here; systems never call each other. Registration happens in one file (systems/schedule.ts).
 */
import type { EngineWorld } from './world.js';

export const PHASES = ['input', 'behaviour', 'animation', 'frame', 'output', 'profile'] as const;
export type Phase = (typeof PHASES)[number];

export type System<W extends EngineWorld = EngineWorld> = (world: W) => void;

interface Entry<W extends EngineWorld> {
  name: string;
  run: System<W>;
  column: number;
}

/** `W` is the world its systems take (with their resources). */
export class Schedule<W extends EngineWorld = EngineWorld> {
  private readonly phases = new Map<Phase, Entry<W>[]>(PHASES.map((p) => [p, []]));
  private ordered: Entry<W>[] = [];
  private names: string[] = [];

  add(phase: Phase, name: string, run: System<W>): this {
    const entries = this.phases.get(phase);
    if (!entries) throw new Error(`unknown phase "${phase}"; phases are ${PHASES.join(', ')}`);
    if (entries.some((e) => e.name === name)) throw new Error(`system "${name}" is already in phase "${phase}"`);
    entries.push({ name, run, column: -1 });
    this.ordered = PHASES.flatMap((p) => this.phases.get(p)!);
    // Profiler columns follow run order, so a trace lays systems end to end as they ran.
    this.ordered.forEach((e, i) => (e.column = i));
    this.names = this.order();
    return this;
  }

  /** System names in run order, as `phase/name`. */
  order(): string[] {
    return PHASES.flatMap((p) => this.phases.get(p)!.map((e) => `${p}/${e.name}`));
  }

  /** Runs one tick at the world's current time: every phase in order, timing each system. */
  runTick(world: W, lateness = 0): void {
    const { profiler } = world;
    if (!profiler.enabled) {
      for (const entry of this.ordered) entry.run(world);
      world.time.tick++;
      return;
    }
    if (profiler.systemNames.length !== this.names.length) profiler.setSystems(this.names);
    const cpuClock = profiler.cpuClock;
    const cpuStart = cpuClock ? cpuClock() : 0;
    const start = performance.now();
    profiler.beginTick(start, lateness);
    let last = start;
    for (const entry of this.ordered) {
      entry.run(world);
      const now = performance.now();
      profiler.recordSystem(entry.column, now - last);
      last = now;
    }
    profiler.endTick(last - start, cpuClock ? cpuClock() - cpuStart : Number.NaN);
    world.time.tick++;
  }
}
