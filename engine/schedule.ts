/**
 * The tick schedule: named phases in a fixed order, each a list of named systems. All ordering
 * lives here; systems never call each other. Registration happens in one file (systems/schedule.ts).
 */
import type { PersonaWorld } from './world.js';
import { TickProfiler } from './profiler.js';

export const PHASES = ['input', 'behaviour', 'animation', 'frame', 'output', 'profile'] as const;
export type Phase = (typeof PHASES)[number];

export type System = (world: PersonaWorld) => void;

interface Entry {
  name: string;
  run: System;
}

export class Schedule {
  private readonly phases = new Map<Phase, Entry[]>(PHASES.map((p) => [p, []]));
  readonly profiler = new TickProfiler();

  add(phase: Phase, name: string, run: System): this {
    const entries = this.phases.get(phase);
    if (!entries) throw new Error(`unknown phase "${phase}"; phases are ${PHASES.join(', ')}`);
    if (entries.some((e) => e.name === name)) throw new Error(`system "${name}" is already in phase "${phase}"`);
    entries.push({ name, run });
    return this;
  }

  /** System names in run order, as `phase/name`. */
  order(): string[] {
    return PHASES.flatMap((p) => this.phases.get(p)!.map((e) => `${p}/${e.name}`));
  }

  /** Runs one tick at the world's current time: every phase in order, timing each system. */
  runTick(world: PersonaWorld): void {
    const tickStart = performance.now();
    for (const phase of PHASES) {
      for (const entry of this.phases.get(phase)!) {
        const start = performance.now();
        entry.run(world);
        this.profiler.recordSystem(`${phase}/${entry.name}`, performance.now() - start);
      }
    }
    this.profiler.recordTick(performance.now() - tickStart);
    world.time.tick++;
  }
}
