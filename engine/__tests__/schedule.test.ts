import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import { step } from '../loop.js';
import { PHASES, Schedule } from '../schedule.js';
import { createEngineWorld } from '../world.js';

describe('schedule', () => {
  it('runs the phases in order each tick, on the simulated clock', () => {
    const world = createEngineWorld({ clock: new SimulatedClock(), hz: 30, resources: {} });
    const seen: string[] = [];
    const schedule = new Schedule();
    // Registered out of order on purpose: the phase decides, not the registration order.
    for (const phase of [...PHASES].reverse()) schedule.add(phase, `${phase}-system`, (w) => seen.push(`${w.time.tick}:${phase}`));
    step(world, schedule);
    step(world, schedule);
    expect(seen).toEqual([...PHASES.map((p) => `0:${p}`), ...PHASES.map((p) => `1:${p}`)]);
    expect(world.time.now).toBeCloseTo(2000 / 30, 6);
    expect(world.time.tick).toBe(2);
  });

  it('keeps registration order within a phase and refuses duplicates and unknown phases', () => {
    const schedule = new Schedule().add('animation', 'ease-pose', () => {}).add('animation', 'blend-expression', () => {});
    expect(schedule.order()).toEqual(['animation/ease-pose', 'animation/blend-expression']);
    expect(() => schedule.add('animation', 'ease-pose', () => {})).toThrow(/already/);
    expect(() => schedule.add('render' as never, 'x', () => {})).toThrow(/unknown phase "render"/);
  });

  it('records a timing for every system and every tick', () => {
    const world = createEngineWorld({ clock: new SimulatedClock(), hz: 60, resources: {} });
    const schedule = new Schedule().add('input', 'a', () => {}).add('output', 'b', () => {});
    for (let i = 0; i < 5; i++) step(world, schedule);
    expect(world.profiler.ticks.values()).toHaveLength(5);
    expect(world.profiler.systemSamples('output/b')).toHaveLength(5);
  });

  it('records each tick\'s CPU time when given a CPU clock, in the window and the trace', () => {
    const world = createEngineWorld({ clock: new SimulatedClock(), hz: 30, resources: {} });
    const schedule = new Schedule().add('input', 'a', () => {});
    step(world, schedule);
    expect(world.profiler.window(60, 33.3).tickCpu).toBeNull(); // off by default
    let cpu = 0;
    world.profiler.cpuClock = () => (cpu += 0.25); // each reading 0.25 ms later: 0.25 ms per tick
    for (let i = 0; i < 4; i++) step(world, schedule);
    expect([...world.profiler.tickCpu.values()]).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(world.profiler.window(60, 33.3).tickCpu).toMatchObject({ p50: 0.25, p99: 0.25, n: 4 });
    const ticks = world.profiler.trace(60).filter((e) => e.name === 'tick');
    expect(ticks[0]!.args).toEqual({ lateMs: 0 });
    expect(ticks[4]!.args).toMatchObject({ cpuMs: 0.25 });
  });
});

describe('engine timers', () => {
  it('fire at their due time in engine time, earliest first', () => {
    const world = createEngineWorld({ clock: new SimulatedClock(), hz: 30, resources: {} });
    const fired: string[] = [];
    world.timers.setTimeout(() => fired.push('b'), 100);
    world.timers.setTimeout(() => fired.push('a'), 50);
    const cancelled = world.timers.setTimeout(() => fired.push('never'), 60);
    world.timers.clearTimeout(cancelled);
    world.time.now = 99;
    world.timers.fireDue(world.time.now);
    expect(fired).toEqual(['a']);
    world.time.now = 100;
    world.timers.fireDue(world.time.now);
    expect(fired).toEqual(['a', 'b']);
    expect(world.timers.pending).toBe(0);
  });
});
