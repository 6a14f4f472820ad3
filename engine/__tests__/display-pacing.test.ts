/** The tick shift that lands frames just before a viewer's display refresh (engine/display-pacing.ts). */
import { describe, expect, it } from 'vitest';
import { displayPhaseShift, PACING_MARGIN_MS } from '../display-pacing.js';

const I = 1000 / 60;
/** Slack samples around `centre` ± `spread` (deterministic). */
const around = (centre: number, spread: number, n = 30) => Array.from({ length: n }, (_, i) => (((centre + spread * Math.sin(i * 2.4)) % I) + I) % I);

describe('display pacing', () => {
  it('moves ticks later so frames that waited ~9 ms for the refresh arrive just before it, keeping the margin', () => {
    const slack = around(9, 0.5);
    const shift = displayPhaseShift({ intervalMs: I, slackMs: slack })!;
    const min = Math.min(...slack);
    expect(shift.shiftMs).toBeCloseTo(min - PACING_MARGIN_MS, 0);
    expect(Math.min(...slack.map((s) => s - shift.shiftMs))).toBeGreaterThanOrEqual(PACING_MARGIN_MS - 0.11);
    expect(shift.gainMs).toBeGreaterThan(6.5);
  });

  it('moves ticks earlier when frames straddle the refresh (half of them just missing it)', () => {
    const slack = [...around(0.4, 0.3, 15), ...around(I - 0.4, 0.3, 15)];
    const shift = displayPhaseShift({ intervalMs: I, slackMs: slack })!;
    expect(shift.shiftMs).toBeLessThan(0); // earlier, not a whole refresh later
    expect(shift.shiftMs).toBeGreaterThan(-3);
    for (const s of slack) {
      const left = (((s - shift.shiftMs) % I) + I) % I;
      expect(left).toBeGreaterThanOrEqual(PACING_MARGIN_MS - 0.11); // every frame now makes the refresh
      expect(left).toBeLessThan(3.5);
    }
  });

  it('leaves the phase alone when frames already arrive just before the refresh, or when nothing can be gained', () => {
    expect(displayPhaseShift({ intervalMs: I, slackMs: around(2.2, 0.3) })).toBeNull();
    // A display whose refresh our frames do not lock to (50 Hz against 30 fps): slack spread evenly.
    const even = Array.from({ length: 30 }, (_, i) => (i * 20) / 30);
    expect(displayPhaseShift({ intervalMs: 20, slackMs: even })).toBeNull();
    expect(displayPhaseShift({ intervalMs: I, slackMs: [9, 9, 9] })).toBeNull(); // too few to say
  });

  it('of the shifts that land on the same refresh, picks the one keeping the total shift nearest zero', () => {
    const slack = around(9, 0.3);
    const fresh = displayPhaseShift({ intervalMs: I, slackMs: slack })!;
    expect(fresh.shiftMs).toBeGreaterThan(0);
    const shifted = displayPhaseShift({ intervalMs: I, slackMs: slack }, 6)!;
    expect(shifted.shiftMs).toBeCloseTo(fresh.shiftMs - I, 6); // a refresh earlier: total −3.8 instead of +13
    expect(Math.abs(6 + shifted.shiftMs)).toBeLessThanOrEqual(I / 2);
  });
});
