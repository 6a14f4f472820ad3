/** Where the character window goes as displays come and go: remembered per display, never off-screen. */
import { describe, expect, it } from 'vitest';
import { clampInto, defaultPosition, placeAfterDisplayChange, placeWindow, rememberPosition, type DisplayLike, type Rect, type SavedPlacement } from '../placement.js';

const SIZE = { width: 280, height: 400 };
/** A laptop (1920×1080 with a 40 px taskbar at the bottom) and a monitor to its right (2560×1440, a 30 px panel on top). */
const laptop: DisplayLike = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const monitor: DisplayLike = { id: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 30, width: 2560, height: 1410 } };
const none: SavedPlacement = { byDisplay: {} };

/** All of the window lies inside this display's work area. */
const inside = (r: Rect, d: DisplayLike) =>
  r.x >= d.workArea.x && r.y >= d.workArea.y && r.x + r.width <= d.workArea.x + d.workArea.width && r.y + r.height <= d.workArea.y + d.workArea.height;

describe('character window placement', () => {
  it('first run: bottom-right of the primary display, above the taskbar', () => {
    const r = placeWindow(SIZE, [laptop, monitor], laptop, none);
    expect(r).toEqual({ x: 1920 - 280 - 24, y: 1040 - 400 - 24, ...SIZE });
    expect(inside(r, laptop)).toBe(true);
  });

  it('remembers where she was put on each display and opens there again', () => {
    let saved = rememberPosition(none, { x: 2100, y: 500, ...SIZE }, [laptop, monitor]);
    expect(saved).toEqual({ lastDisplay: '2', byDisplay: { '2': { dx: 180, dy: 470 } } });
    saved = rememberPosition(saved, { x: 100, y: 200, ...SIZE }, [laptop, monitor]);
    expect(saved.lastDisplay).toBe('1');
    expect(placeWindow(SIZE, [laptop, monitor], laptop, saved)).toEqual({ x: 100, y: 200, ...SIZE });
    // Dragged back to the monitor: its own position is still the one remembered there.
    saved = { ...saved, lastDisplay: '2' };
    expect(placeWindow(SIZE, [laptop, monitor], laptop, saved)).toEqual({ x: 2100, y: 500, ...SIZE });
  });

  it('a position dropped half off the screen is remembered inside it', () => {
    const saved = rememberPosition(none, { x: -150, y: 900, ...SIZE }, [laptop, monitor]);
    expect(placeWindow(SIZE, [laptop], laptop, saved)).toEqual({ x: 0, y: 1040 - 400, ...SIZE });
  });

  it('the monitor she is on is unplugged: she comes to the primary display; plugged back: she returns', () => {
    const saved = rememberPosition(rememberPosition(none, { x: 300, y: 300, ...SIZE }, [laptop, monitor]), { x: 3000, y: 800, ...SIZE }, [laptop, monitor]);
    const onMonitor = placeWindow(SIZE, [laptop, monitor], laptop, saved);
    expect(onMonitor).toEqual({ x: 3000, y: 800, ...SIZE });
    const unplugged = placeAfterDisplayChange(onMonitor, [laptop], laptop, saved);
    expect(unplugged).toEqual({ x: 300, y: 300, ...SIZE }); // the laptop's remembered place
    expect(inside(unplugged, laptop)).toBe(true);
    expect(placeAfterDisplayChange(unplugged, [laptop, monitor], laptop, saved)).toEqual({ x: 3000, y: 800, ...SIZE });
  });

  it('unplugged with no place remembered on the primary: the default corner', () => {
    const saved = rememberPosition(none, { x: 3000, y: 800, ...SIZE }, [laptop, monitor]);
    expect(placeAfterDisplayChange({ x: 3000, y: 800, ...SIZE }, [laptop], laptop, saved)).toEqual(defaultPosition(SIZE, laptop));
  });

  it('the resolution drops or the taskbar moves: she is clamped back inside the work area', () => {
    const saved = rememberPosition(none, { x: 1600, y: 600, ...SIZE }, [laptop]);
    const smaller: DisplayLike = { id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 }, workArea: { x: 0, y: 0, width: 1366, height: 728 } };
    const r = placeAfterDisplayChange({ x: 1600, y: 600, ...SIZE }, [smaller], smaller, saved);
    expect(inside(r, smaller)).toBe(true);
    expect(r).toEqual({ x: 1366 - 280, y: 728 - 400, ...SIZE });
    // A taskbar moved to the left edge, 60 px wide: pushed right of it.
    const leftBar: DisplayLike = { ...laptop, workArea: { x: 60, y: 0, width: 1860, height: 1080 } };
    expect(placeAfterDisplayChange({ x: 20, y: 100, ...SIZE }, [leftBar], leftBar, { byDisplay: {}, lastDisplay: '1' })).toEqual({ x: 60, y: 100, ...SIZE });
  });

  it('a display arranged to the left (negative coordinates) works like any other', () => {
    const left: DisplayLike = { id: 7, bounds: { x: -1280, y: 0, width: 1280, height: 1024 }, workArea: { x: -1280, y: 0, width: 1280, height: 1024 } };
    const saved = rememberPosition(none, { x: -1000, y: 100, ...SIZE }, [left, laptop]);
    expect(saved.byDisplay['7']).toEqual({ dx: 280, dy: 100 });
    expect(placeWindow(SIZE, [left, laptop], laptop, saved)).toEqual({ x: -1000, y: 100, ...SIZE });
  });

  it('a window larger than the work area is pinned to its top-left corner', () => {
    const tiny: DisplayLike = { id: 3, bounds: { x: 0, y: 0, width: 200, height: 300 }, workArea: { x: 0, y: 0, width: 200, height: 300 } };
    expect(clampInto({ x: 50, y: 50, ...SIZE }, tiny.workArea)).toEqual({ x: 0, y: 0, width: 200, height: 300 });
  });
});
