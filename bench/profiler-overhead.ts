/**
 * The profiler's own cost per tick, µs: the same ticks (the real schedule, no frame source, on the
 * simulated clock) with the profiler on and off, in alternating blocks so drift and noise hit both
 * alike; the median difference. The bench divides it by a live session's tick time.
 */
import { SimulatedClock } from '../engine/clock.js';
import { PersonaSession } from '../app/session.js';
import { randomDirectives } from './random-directives.js';

export const measureProfilerCostUs = (blocks: number, ticksPerBlock = 2000): number | null => {
  const session = new PersonaSession({ clock: new SimulatedClock(), source: null });
  const next = randomDirectives(3);
  const run = (enabled: boolean) => {
    session.world.profiler.enabled = enabled;
    const start = performance.now();
    for (let i = 0; i < ticksPerBlock; i++) {
      if (i % 40 === 0) session.submit(next());
      session.step();
    }
    return (performance.now() - start) / ticksPerBlock;
  };
  run(true);
  run(false); // warm both paths
  const ratios: number[] = [];
  for (let b = 0; b < blocks; b++) {
    // Alternate which goes first, so warming and drift favour neither.
    let on: number, off: number;
    if (b % 2) {
      on = run(true);
      off = run(false);
    } else {
      off = run(false);
      on = run(true);
    }
    ratios.push((on - off) * 1000);
  }
  session.stop();
  ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)];
  return median === undefined ? null : Math.round(median * 1000) / 1000;
};
