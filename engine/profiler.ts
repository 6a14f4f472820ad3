/** Per-tick and per-system timings in ring buffers, with percentiles over what the ring holds. */
export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

/** Percentiles of `samples` (nearest rank); null when there are none. */
export const distribution = (samples: ArrayLike<number>): Distribution | null => {
  const n = samples.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), n };
};

export class Ring {
  private readonly data: Float64Array;
  private count = 0;
  private next = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    this.data[this.next] = v;
    this.next = (this.next + 1) % this.data.length;
    this.count = Math.min(this.count + 1, this.data.length);
  }
  values(): Float64Array {
    return this.count < this.data.length ? this.data.slice(0, this.count) : this.data.slice();
  }
  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}

/** Keeps the last `capacity` ticks (10 s at 60 Hz by default). */
export class TickProfiler {
  readonly ticks: Ring;
  readonly systems = new Map<string, Ring>();
  constructor(private readonly capacity = 600) {
    this.ticks = new Ring(capacity);
  }
  recordTick(ms: number): void {
    this.ticks.push(ms);
  }
  recordSystem(name: string, ms: number): void {
    let ring = this.systems.get(name);
    if (!ring) this.systems.set(name, (ring = new Ring(this.capacity)));
    ring.push(ms);
  }
}
