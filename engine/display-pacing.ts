/**
 * Pacing the tick loop to a viewer's display. A viewer shows a decoded frame at its next display
 * refresh: a frame handed to its compositor just after a refresh waits a whole interval (16.7 ms at
 * 60 Hz), one handed over just before waits almost nothing. Our 30 fps ticks meet a 60 Hz display at
 * a phase nobody chose, so frames waited 0–16.7 ms there, ~8 ms on average (docs/latency.md).
 *
 * The viewer reports its *slack* for recent frames: from the moment a frame was handed to its
 * compositor to the refresh that picked it up (0 … interval). Shifting our ticks later by δ makes each
 * frame arrive δ later, so its slack becomes (slack − δ) mod interval: frames then leave the engine
 * later, with later input and motion in them, and are shown at the same refresh. The shift that
 * leaves the least slack, keeping a margin for the frames' own jitter, is what this computes. No
 * shared clock is needed: slack is measured on the viewer's clock alone.
 */

/** What a viewer tells us about its display. */
export interface DisplayReport {
  /** Its display's refresh interval, ms (16.7 at 60 Hz). */
  intervalMs: number;
  /** Recent frames' slack: compositor hand-off → the refresh that showed them, ms, each in [0, intervalMs). */
  slackMs: readonly number[];
}

/** Slack kept for the frames' own jitter (encode time, the network, the tick's timer): below it a frame counts as a miss. */
export const PACING_MARGIN_MS = 1.5;
/** A shift that would gain less than this on average is not made (no twitching on noise). */
export const PACING_MIN_GAIN_MS = 1;
/** Candidate shifts are tried this far apart, ms. */
const SEARCH_STEP_MS = 0.1;

/** The average wait of these frames were they δ later: a frame left with less than the margin counts as waiting a whole interval more. */
const meanWait = (slack: readonly number[], interval: number, delta: number): number => {
  let sum = 0;
  for (const s of slack) {
    let left = (((s - delta) % interval) + interval) % interval;
    if (left < PACING_MARGIN_MS) left += interval;
    sum += left;
  }
  return sum / slack.length;
};

export interface PhaseShift {
  /** Move the ticks this much later (ms; earlier when < 0). */
  shiftMs: number;
  /** The average wait it saves these frames, ms. */
  gainMs: number;
}

/**
 * The tick shift that makes the reported frames wait least for their refresh, or null when it would
 * save less than PACING_MIN_GAIN_MS (or the report is too thin to say). `shiftedMs` is the shift made
 * so far: of the equivalent shifts (δ plus or minus whole intervals, which land on the same refresh
 * grid) the one that keeps the total nearest zero is returned, so engine time never wanders more
 * than half an interval from the wall clock through pacing.
 */
export const displayPhaseShift = (report: DisplayReport, shiftedMs = 0): PhaseShift | null => {
  const { intervalMs: interval, slackMs: slack } = report;
  if (slack.length < 4 || !(interval > 0)) return null;
  const current = slack.reduce((a, s) => a + s, 0) / slack.length;
  let best = 0;
  let bestWait = Infinity;
  for (let delta = 0; delta < interval; delta += SEARCH_STEP_MS) {
    const wait = meanWait(slack, interval, delta);
    if (wait < bestWait - 1e-9) {
      bestWait = wait;
      best = delta;
    }
  }
  const gainMs = current - bestWait;
  if (gainMs < PACING_MIN_GAIN_MS) return null;
  // δ, δ − interval, δ + interval … all land on the same refresh; keep the running total near zero.
  const k = Math.round(-(shiftedMs + best) / interval);
  return { shiftMs: best + k * interval, gainMs };
};
