/**
 * The frame-budget profiler's core: per-tick and per-system timings, native fills, GC pauses and
 * event-loop delay, each in a ring buffer; percentiles over sliding windows; Chrome Trace Event
 * export. Recording a tick costs a handful of array writes; `enabled = false` skips even those.
 */
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { Distribution, ProfileWindow } from '../protocol/profile.js';

export type { Distribution, ProfileWindow };

/** Percentiles of `samples` (nearest rank); null when there are none. */
export const distribution = (samples: ArrayLike<number>): Distribution | null => {
  const n = samples.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), n };
};

/** A fixed-size ring of numbers. */
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
    if (this.count < this.data.length) return this.data.slice(0, this.count);
    return Float64Array.from({ length: this.count }, (_, i) => this.data[(this.next + i) % this.data.length]!);
  }
  get size(): number {
    return this.count;
  }
  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}

/** A fixed-size ring of records, oldest first. */
class RecordRing<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;
  constructor(capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }
  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.items.length;
    this.count = Math.min(this.count + 1, this.items.length);
  }
  /** Items whose `at(item)` is at or after `since`, oldest first. */
  since(since: number, at: (item: T) => number): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) {
      const item = this.items[(this.next - this.count + i + this.items.length) % this.items.length]!;
      if (at(item) >= since) out.push(item);
    }
    return out;
  }
}

export interface TickRecord {
  /** performance.now() when the tick began. */
  start: number;
  total: number;
  /** CPU time the JS thread used in the tick, ms; NaN when not measured. */
  cpu: number;
  /** Duration of each system, ms, in `systemNames` order. */
  systems: Float32Array;
  /** How late the tick began against its schedule, ms. */
  lateness: number;
}

export interface NativeFillRecord {
  /** performance.now() when the fill was handed to the worker, and when its promise settled. */
  submitted: number;
  settled: number;
  /** Worker time rendering, and time waiting for a worker thread (both measured in C++). */
  fillMs: number;
  queueMs: number;
}

export interface SendRecord {
  start: number;
  ms: number;
  bytes: number;
}

export interface GcRecord {
  start: number;
  ms: number;
  kind: string;
}

/** Chrome Trace Event format, "complete" events (opens in Perfetto and chrome://tracing). */
export interface TraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'M' | 'C';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

const GC_KINDS: Record<number, string> = { 1: 'scavenge', 2: 'mark-sweep-compact', 4: 'incremental-marking', 8: 'weak-callbacks', 15: 'all' };

/** Most systems a schedule may have: tick records keep one column per system. */
export const MAX_SYSTEMS = 32;

export class TickProfiler {
  /** When false, the schedule runs systems without timing them (the profiler's cost is zero). */
  enabled = true;
  /** System names in run order (`phase/name`). */
  readonly systemNames: string[] = [];
  /** Tick durations, ms, oldest first. */
  readonly ticks: Ring;
  /**
   * The JS thread's CPU time clock (ms), or null to not measure it. With it, each tick also records
   * the CPU time it used: wall − CPU is time the OS ran something else meanwhile (other threads,
   * other processes, the hypervisor). Off by default: two clock reads cost ~0.8 µs a tick here.
   */
  cpuClock: (() => number) | null = null;
  /** CPU time of each tick, ms, oldest first (only while `cpuClock` is set). */
  readonly tickCpu: Ring;
  // Tick records live in preallocated columns, so recording a tick allocates nothing.
  private readonly starts: Float64Array;
  private readonly totals: Float32Array;
  private readonly cpu: Float32Array;
  private readonly lateness: Float32Array;
  private readonly systemTimes: Float32Array;
  private row = 0;
  private rows = 0;
  private readonly fills: RecordRing<NativeFillRecord>;
  private readonly sends: RecordRing<SendRecord>;
  private readonly gcs: RecordRing<GcRecord>;
  private loopDelay: IntervalHistogram | null = null;
  private gcObserver: PerformanceObserver | null = null;
  droppedTicks = 0;

  /** Keeps `capacity` ticks (60 s at 30 Hz by default). */
  constructor(private readonly capacity = 1800) {
    this.ticks = new Ring(capacity);
    this.tickCpu = new Ring(capacity);
    this.starts = new Float64Array(capacity);
    this.totals = new Float32Array(capacity);
    this.cpu = new Float32Array(capacity);
    this.lateness = new Float32Array(capacity);
    this.systemTimes = new Float32Array(capacity * MAX_SYSTEMS);
    this.fills = new RecordRing(capacity * 2);
    this.sends = new RecordRing(capacity * 4);
    this.gcs = new RecordRing(2048);
  }

  /** Starts watching the event loop and the garbage collector (stop with `detach`). */
  attach(): void {
    if (this.loopDelay) return;
    this.loopDelay = monitorEventLoopDelay({ resolution: 5 });
    this.loopDelay.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
        this.gcs.push({ start: e.startTime, ms: e.duration, kind: GC_KINDS[kind] ?? `kind ${kind}` });
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  detach(): void {
    this.loopDelay?.disable();
    this.loopDelay = null;
    this.gcObserver?.disconnect();
    this.gcObserver = null;
  }

  /** The systems, in run order: column i of a tick is `names[i]`. The schedule calls this as systems are added. */
  setSystems(names: string[]): void {
    if (names.length > MAX_SYSTEMS) throw new Error(`a schedule may have at most ${MAX_SYSTEMS} systems, got ${names.length}`);
    this.systemNames.splice(0, this.systemNames.length, ...names);
  }

  /** Starts a tick record; the schedule then writes each system's time with `recordSystem`. */
  beginTick(start: number, lateness: number): void {
    this.starts[this.row] = start;
    this.lateness[this.row] = lateness;
  }

  recordSystem(column: number, ms: number): void {
    this.systemTimes[this.row * MAX_SYSTEMS + column] = ms;
  }

  /** Ends the tick record: its wall time, and its CPU time (NaN when not measured). */
  endTick(total: number, cpu = Number.NaN): void {
    this.totals[this.row] = total;
    this.cpu[this.row] = cpu;
    this.ticks.push(total);
    if (!Number.isNaN(cpu)) this.tickCpu.push(cpu);
    this.row = (this.row + 1) % this.capacity;
    this.rows = Math.min(this.rows + 1, this.capacity);
  }

  /** Tick records started at or after `since` (performance.now() ms), oldest first. */
  private ticksSince(since: number): TickRecord[] {
    const out: TickRecord[] = [];
    for (let i = 0; i < this.rows; i++) {
      const r = (this.row - this.rows + i + this.capacity) % this.capacity;
      if (this.starts[r]! < since) continue;
      out.push({
        start: this.starts[r]!,
        total: this.totals[r]!,
        cpu: this.cpu[r]!,
        lateness: this.lateness[r]!,
        systems: this.systemTimes.subarray(r * MAX_SYSTEMS, r * MAX_SYSTEMS + this.systemNames.length),
      });
    }
    return out;
  }

  /** One system's times over the ticks the profiler holds, oldest first. */
  systemSamples(name: string): number[] {
    const column = this.systemNames.indexOf(name);
    return column < 0 ? [] : this.ticksSince(-Infinity).map((t) => t.systems[column]!);
  }

  recordFill(record: NativeFillRecord): void {
    this.fills.push(record);
  }

  recordSend(record: SendRecord): void {
    this.sends.push(record);
  }

  /** The last `count` ticks as time per phase (summing the phase's systems), oldest first. */
  bars(count: number, phases: readonly string[]): { tick: number; phases: number[]; lateMs: number; start: number }[] {
    const phaseOf = this.systemNames.map((name) => phases.indexOf(name.split('/')[0]!));
    const recent = this.ticksSince(-Infinity).slice(-count);
    return recent.map((r, i) => {
      const sums = phases.map(() => 0);
      r.systems.forEach((ms, k) => (sums[phaseOf[k]!]! += ms));
      return { tick: i, phases: sums.map((v) => Math.round(v * 1000) / 1000), lateMs: Math.round(r.lateness * 100) / 100, start: r.start };
    });
  }

  /** Aggregates over the last `seconds`, against a frame budget of `budgetMs`. */
  window(seconds: number, budgetMs: number): ProfileWindow {
    const since = performance.now() - seconds * 1000;
    const ticks = this.ticksSince(since);
    const fills = this.fills.since(since, (f) => f.settled);
    const sends = this.sends.since(since, (s) => s.start);
    const total = ticks.reduce((s, t) => s + t.total, 0) || 1;
    const systems = this.systemNames.map((name, i) => {
      const d = distribution(ticks.map((t) => t.systems[i]!));
      return { name, p50: d?.p50 ?? 0, p99: d?.p99 ?? 0, share: ticks.reduce((s, t) => s + t.systems[i]!, 0) / total };
    });
    const span = ticks.length > 1 ? (ticks[ticks.length - 1]!.start - ticks[0]!.start) / 1000 : 0;
    return {
      seconds,
      budgetMs,
      fps: span > 0 ? Math.round(((ticks.length - 1) / span) * 10) / 10 : 0,
      tick: distribution(ticks.map((t) => t.total)),
      tickCpu: distribution(ticks.filter((t) => !Number.isNaN(t.cpu)).map((t) => t.cpu)),
      systems,
      nativeFill: distribution(fills.map((f) => f.fillMs)),
      nativeQueue: distribution(fills.map((f) => f.queueMs)),
      send: distribution(sends.map((s) => s.ms)),
      eventLoopDelayP99: this.loopDelay ? Math.round(this.loopDelay.percentile(99) / 1e3) / 1e3 : 0,
      gcMs: Math.round(this.gcs.since(since, (g) => g.start).reduce((s, g) => s + g.ms, 0) * 1000) / 1000,
      lateTicks: ticks.filter((t) => t.lateness > budgetMs / 2).length,
      droppedTicks: this.droppedTicks,
    };
  }

  /** The last `seconds` as Chrome Trace Event JSON objects: ticks and systems, native fills, sends, GC. */
  trace(seconds: number): TraceEvent[] {
    const since = performance.now() - seconds * 1000;
    const us = (ms: number) => Math.round(ms * 1000);
    const pid = 1; // one process per trace; its real id would tell a reader of a shared trace about the host
    const TICK = 1, NATIVE = 2, OUTPUT = 3, GC = 4;
    const events: TraceEvent[] = [
      { name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid: TICK, args: { name: 'persona engine' } },
      { name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid: TICK, args: { name: 'engine tick (JS)' } },
      { name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid: NATIVE, args: { name: 'native fill (worker)' } },
      { name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid: OUTPUT, args: { name: 'preview send' } },
      { name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid: GC, args: { name: 'garbage collector' } },
    ];
    for (const t of this.ticksSince(since)) {
      events.push({ name: 'tick', cat: 'tick', ph: 'X', ts: us(t.start), dur: us(t.total), pid, tid: TICK, args: Number.isNaN(t.cpu) ? { lateMs: t.lateness } : { lateMs: t.lateness, cpuMs: t.cpu } });
      let offset = t.start;
      t.systems.forEach((ms, i) => {
        const [phase, name] = this.systemNames[i]!.split('/');
        events.push({ name: name!, cat: phase!, ph: 'X', ts: us(offset), dur: us(ms), pid, tid: TICK });
        offset += ms;
      });
    }
    for (const f of this.fills.since(since, (r) => r.submitted)) {
      events.push({ name: 'queue wait', cat: 'native', ph: 'X', ts: us(f.submitted), dur: us(f.queueMs), pid, tid: NATIVE });
      events.push({ name: 'puppet fill', cat: 'native', ph: 'X', ts: us(f.submitted + f.queueMs), dur: us(f.fillMs), pid, tid: NATIVE });
    }
    for (const s of this.sends.since(since, (r) => r.start)) {
      events.push({ name: 'encode + send', cat: 'output', ph: 'X', ts: us(s.start), dur: us(s.ms), pid, tid: OUTPUT, args: { bytes: s.bytes } });
    }
    for (const g of this.gcs.since(since, (r) => r.start)) {
      events.push({ name: `GC ${g.kind}`, cat: 'gc', ph: 'X', ts: us(g.start), dur: us(g.ms), pid, tid: GC });
    }
    return events;
  }
}
