/**
 * What the server tells profiling users: the overlay feed (tick bars per phase, window aggregates,
 * the last chat line's action latency) and Chrome Trace Event exports of the last N seconds.
 */
import { PHASES } from '../engine/schedule.js';
import type { TraceEvent } from '../engine/profiler.js';
import type { ProfileMessage } from '../protocol/wire.js';
import type { PersonaSession } from './session.js';

/** Ticks of bars in each overlay message (about 4 s at 30 Hz). */
const BARS = 120;
/** Seconds the overlay's aggregates cover. */
const WINDOW_SECONDS = 5;

export class ProfilerFeed {
  private pending: { receivedAt: number; startedAt?: number } | null = null;
  lastActionLatencyMs: number | null = null;
  llmTtftMs: number | null = null;
  /** Latest per-viewer WebRTC stats (the server refreshes them while someone profiles). */
  viewers: ProfileMessage['viewers'] = [];

  constructor(private readonly session: PersonaSession) {
    session.world.profiler.attach();
    session.onEvent((event) => {
      // The first action a chat line starts (fidgets are the persona's own, not an answer).
      if (event.type === 'action.started' && event.directiveId !== 'fidget' && this.pending) this.pending.startedAt ??= event.at;
    });
    session.onFrame((frame) => {
      // The first frame rendered from a tick at or after the action's start shows it.
      if (this.pending?.startedAt !== undefined && frame.submittedAt >= this.pending.startedAt) {
        this.lastActionLatencyMs = Math.round((performance.now() - this.pending.receivedAt) * 100) / 100;
        this.pending = null;
      }
    });
  }

  /** Call when a chat line arrives (performance.now()); a line that starts no action leaves the last figure as it was. */
  chatReceived(receivedAt: number): void {
    this.pending = { receivedAt };
  }

  message(): ProfileMessage {
    const profiler = this.session.world.profiler;
    const budgetMs = 1000 / this.session.fps;
    return {
      type: 'profile',
      budgetMs,
      phases: [...PHASES],
      bars: profiler.bars(BARS, PHASES).map(({ start: _, ...bar }) => bar),
      window: profiler.window(WINDOW_SECONDS, budgetMs),
      lastActionLatencyMs: this.lastActionLatencyMs,
      llmTtftMs: this.llmTtftMs,
      viewers: this.viewers,
      source: this.sourceLine(),
    };
  }

  private sourceLine(): ProfileMessage['source'] {
    const status = this.session.sourceStatus;
    if (!status) return undefined;
    const stats = this.session.sources!.source.stats();
    return { active: status.active, provider: status.provider, state: status.state, frameMs: status.provider && stats.fills ? stats.lastFillMs : null };
  }

  /** The last `seconds` as a Chrome trace file's JSON object. */
  trace(seconds: number): { traceEvents: TraceEvent[]; displayTimeUnit: 'ms'; metadata: Record<string, unknown> } {
    return {
      traceEvents: this.session.world.profiler.trace(seconds),
      displayTimeUnit: 'ms',
      metadata: { character: this.session.character.id, fps: this.session.fps, seconds },
    };
  }
}
