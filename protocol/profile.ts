/** The profiler's aggregates over a sliding window, as the engine reports them to the UI and tools. */
export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

export interface ProfileWindow {
  seconds: number;
  budgetMs: number;
  fps: number;
  tick: Distribution | null;
  /** CPU time of the JS thread per tick, when the server measures it (`--profile-cpu`); else null. */
  tickCpu: Distribution | null;
  /** Per system, in run order (`phase/name`): median and p99 ms, and its share of all tick time. */
  systems: { name: string; p50: number; p99: number; share: number }[];
  /** Native fill worker time and queue wait, measured in C++. */
  nativeFill: Distribution | null;
  nativeQueue: Distribution | null;
  /** Preview frame encode + send. */
  send: Distribution | null;
  eventLoopDelayP99: number;
  gcMs: number;
  lateTicks: number;
  droppedTicks: number;
}
