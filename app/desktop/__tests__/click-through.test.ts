/**
 * Click-through: taking clicks over her at once, letting them through again only after the cursor has
 * been off her a while, never mid-drag, and never stuck letting them through when the page goes quiet.
 */
import { describe, expect, it } from 'vitest';
import { ClickThrough, RELEASE_MS, STALE_MS } from '../click-through.js';

const BOUNDS = { x: 1000, y: 500, width: 280, height: 400 };
const over = { x: 1140, y: 800 };
const outside = { x: 10, y: 10 };

/** The controller and every call it made to setIgnoreMouseEvents. */
const make = () => {
  const calls: boolean[] = [];
  const control = new ClickThrough({ setIgnoreMouseEvents: (ignore) => calls.push(ignore) });
  return { control, calls };
};

describe('click-through', () => {
  it('starts taking clicks, and lets them through once the cursor has been off her for the release time', () => {
    const { control, calls } = make();
    expect(calls).toEqual([false]);
    expect(control.poll(outside, BOUNDS, 0)).toBeNull(); // off the window: no question for the page
    control.poll(outside, BOUNDS, RELEASE_MS - 1);
    expect(control.ignoring).toBe(false);
    control.poll(outside, BOUNDS, RELEASE_MS);
    expect(control.ignoring).toBe(true);
    expect(calls).toEqual([false, true]);
  });

  it('asks the page about the point under the cursor in window coordinates, and takes clicks the moment she is hit', () => {
    const { control, calls } = make();
    control.poll(outside, BOUNDS, 0);
    control.poll(outside, BOUNDS, 200);
    expect(control.ignoring).toBe(true);
    const q = control.poll(over, BOUNDS, 210)!;
    expect(q).toEqual({ id: expect.any(Number), x: 140, y: 300 });
    control.answer(q.id, true, 215);
    expect(control.ignoring).toBe(false);
    expect(calls).toEqual([false, true, false]);
  });

  it('debounces her outline: misses shorter than the release time never let clicks through', () => {
    const { control, calls } = make();
    let t = 0;
    // Along an anti-aliased edge the answers flip every poll (30 Hz) for a second.
    for (let i = 0; i < 30; i++, t += 33) {
      const q = control.poll(over, BOUNDS, t)!;
      control.answer(q.id, i % 3 !== 0, t + 2);
    }
    expect(calls).toEqual([false]);
    // Then clearly off her: after the release time, through.
    for (let until = t + RELEASE_MS + 40; t <= until; t += 33) {
      const q = control.poll(over, BOUNDS, t)!;
      control.answer(q.id, false, t + 2);
    }
    expect(control.ignoring).toBe(true);
  });

  it('an answer to an older question than one already answered is ignored', () => {
    const { control } = make();
    const old = control.poll(over, BOUNDS, 0)!;
    const newer = control.poll(over, BOUNDS, 33)!;
    control.answer(newer.id, true, 40);
    control.answer(old.id, false, 41);
    control.poll(over, BOUNDS, 41 + RELEASE_MS * 2);
    expect(control.ignoring).toBe(false);
    // Made-up ids (never asked) are ignored too.
    control.answer(10_000, false, 500);
  });

  it('never lets clicks through while she is dragged, however far the cursor runs ahead', () => {
    const { control } = make();
    control.setDragging(true, 0);
    for (let t = 0; t < 1000; t += 33) expect(control.poll(outside, BOUNDS, t)).toBeNull();
    expect(control.ignoring).toBe(false);
    control.setDragging(false, 1000);
    control.poll(outside, BOUNDS, 1000 + RELEASE_MS);
    expect(control.ignoring).toBe(true);
  });

  it('a page that stops answering (hung, reloading) makes the window take clicks again: never stuck click-through', () => {
    const { control } = make();
    control.poll(outside, BOUNDS, 0);
    control.poll(outside, BOUNDS, 200);
    expect(control.ignoring).toBe(true);
    // The cursor comes over the window; no answer ever arrives.
    let t = 300;
    for (; t < 300 + STALE_MS - 33; t += 33) control.poll(over, BOUNDS, t);
    expect(control.ignoring).toBe(true);
    for (; t <= 300 + STALE_MS + 33; t += 33) control.poll(over, BOUNDS, t);
    expect(control.ignoring).toBe(false);
    // And when it answers again, it works as before: off her for the release time, clicks pass.
    const q = control.poll(over, BOUNDS, t)!;
    control.answer(q.id, false, t);
    control.poll(over, BOUNDS, t + RELEASE_MS - 1);
    expect(control.ignoring).toBe(false);
    const q2 = control.poll(over, BOUNDS, t + RELEASE_MS)!;
    expect(control.ignoring).toBe(true);
    control.answer(q2.id, true, t + RELEASE_MS + 2);
    expect(control.ignoring).toBe(false);
  });

  it('reset (the tray) takes clicks now, drops pending answers and a drag in progress', () => {
    const { control, calls } = make();
    control.poll(outside, BOUNDS, 0);
    control.poll(outside, BOUNDS, 200);
    const q = control.poll(over, BOUNDS, 210)!;
    control.setDragging(true, 220);
    control.reset();
    expect(control.ignoring).toBe(false);
    control.answer(q.id, false, 230); // asked before the reset: stale
    expect(calls.at(-1)).toBe(false);
    // Not dragging any more: off her, clicks pass again after the release time.
    control.poll(outside, BOUNDS, 240);
    control.poll(outside, BOUNDS, 240 + RELEASE_MS);
    expect(control.ignoring).toBe(true);
  });

  it('disabled (the opaque window): always takes clicks and asks nothing', () => {
    const { control } = make();
    control.setEnabled(false);
    expect(control.poll(over, BOUNDS, 0)).toBeNull();
    control.poll(outside, BOUNDS, 0);
    control.poll(outside, BOUNDS, 5000);
    expect(control.ignoring).toBe(false);
  });
});
