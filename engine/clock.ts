/**
 * Engine clocks. The real one reads performance.now(); the simulated one is stepped by tests and
 * replays, so everything driven by engine time is deterministic under test.
 */
export interface EngineClock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
}

export class RealClock implements EngineClock {
  now(): number {
    return performance.now();
  }
}

export class SimulatedClock implements EngineClock {
  private time = 0;
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`SimulatedClock.advance: ms must be >= 0, got ${ms}`);
    this.time += ms;
  }
}
