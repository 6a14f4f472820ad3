/**
 * One stream's display pacing: the first WHEP viewer that reports its display
 * (POST <viewer resource>/display) paces the session's tick loop to its refresh; the others are
 * answered that someone else paces. When the pacing viewer leaves, the loop keeps its phase and
 * nudges run at once again. The arithmetic is engine/display-pacing.ts; docs/latency.md says why.
 */
import { z } from 'zod';
import { displayPhaseShift } from '../../engine/display-pacing.js';
import type { LoopHandle } from '../../engine/loop.js';

/** The loop's phase controls; null while the session does not run in real time. */
export type PacedLoop = Pick<LoopHandle, 'rephase' | 'snapNudges' | 'phaseShift'>;

/** Most slack samples one report may carry (about 4 s of 30 fps video). */
export const MAX_SLACK_SAMPLES = 120;

export const displayReportSchema = z
  .strictObject({
    intervalMs: z.number().min(2, 'a display refreshes at most every 2 ms (500 Hz)').max(100, 'a display refreshes at least every 100 ms (10 Hz)'),
    slackMs: z.array(z.number().min(0, 'slack is never negative')).min(1).max(MAX_SLACK_SAMPLES),
  })
  .refine((r) => r.slackMs.every((s) => s < r.intervalMs), { message: 'each slack is less than intervalMs', path: ['slackMs'] });

export type DisplayReportBody = z.infer<typeof displayReportSchema>;

/** What a reporting viewer is told. */
export interface PacingAnswer {
  /** This viewer's display paces the stream. */
  paced: boolean;
  /** The tick shift this report made, ms (0: none). */
  shiftMs: number;
  /** The average wait per frame the shift saves, ms. */
  gainMs: number;
  /** Why nothing moved, when nothing did. */
  note?: string;
}

/** After a shift, reports are not acted on for this long: frames already in flight were made on the old phase, ms. */
export const PACING_SETTLE_MS = 1100;

export class DisplayPacer {
  private viewer: string | null = null;
  private settledAt = 0;

  constructor(
    private readonly loop: () => PacedLoop | null,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** The viewer whose display paces the stream, if any. */
  get pacingViewer(): string | null {
    return this.viewer;
  }

  report(viewerId: string, report: DisplayReportBody): PacingAnswer {
    const loop = this.loop();
    if (!loop) return { paced: false, shiftMs: 0, gainMs: 0, note: 'the session does not run in real time' };
    this.viewer ??= viewerId;
    if (this.viewer !== viewerId) return { paced: false, shiftMs: 0, gainMs: 0, note: 'another viewer paces this stream' };
    loop.snapNudges(report.intervalMs);
    const now = this.clock();
    if (now < this.settledAt) return { paced: true, shiftMs: 0, gainMs: 0, note: 'settling after the last shift' };
    const shift = displayPhaseShift(report, loop.phaseShift);
    if (!shift) return { paced: true, shiftMs: 0, gainMs: 0, note: 'already on the refresh' };
    loop.rephase(shift.shiftMs);
    this.settledAt = now + PACING_SETTLE_MS;
    return { paced: true, shiftMs: round(shift.shiftMs), gainMs: round(shift.gainMs) };
  }

  /** A viewer left: if it paced the stream, nobody does now and nudges run at once again. */
  left(viewerId: string): void {
    if (this.viewer !== viewerId) return;
    this.viewer = null;
    this.loop()?.snapNudges(null);
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
