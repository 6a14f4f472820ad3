/**
 * Timers on engine time, in the shape xstate's `clock` option expects (setTimeout / clearTimeout).
 * Due timers fire when the behaviour phase calls `fireDue(now)`, so behaviour charts advance with
 * the engine's ticks and never with wall-clock callbacks.
 */
interface Timer {
  id: number;
  due: number;
  callback: () => void;
}

export class EngineTimers {
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.push({ id, due: this.now() + ms, callback });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Fires every timer due at or before `now`, earliest first, including ones set while firing. */
  fireDue(now: number): void {
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.due <= now && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      if (!next) return;
      this.timers.splice(this.timers.indexOf(next), 1);
      next.callback();
    }
  }
}
