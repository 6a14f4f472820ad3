/**
 * Where the character window goes: its position remembered per display (as an offset into that
 * display's work area), and kept inside the displays when they change — a monitor unplugged, a
 * resolution lowered, a taskbar moved — so the character is never lost off-screen. Pure functions
 * over Electron's `Display` shape (id, bounds, workArea); the main process feeds them `screen`.
 */
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayLike {
  id: number;
  bounds: Rect;
  /** The display minus taskbars and docks. */
  workArea: Rect;
}

/** Remembered positions: per display, the window's offset from that display's work area; and the display she was last put on. */
export interface SavedPlacement {
  lastDisplay?: string;
  byDisplay: Record<string, { dx: number; dy: number }>;
}

/** Room kept between the character and the edge of the work area when she is first placed. */
export const MARGIN = 24;
const MAX_DISPLAYS = 32;
const coordinate = z.number().finite().min(-100_000).max(100_000);

export const SavedPlacementSchema = z
  .object({
    lastDisplay: z.string().max(40).optional(),
    byDisplay: z
      .record(z.string().max(40), z.object({ dx: coordinate, dy: coordinate }).strict())
      .refine((r) => Object.keys(r).length <= MAX_DISPLAYS, `at most ${MAX_DISPLAYS} displays`),
  })
  .strict();

export const displayKey = (display: DisplayLike): string => String(display.id);

const overlap = (a: Rect, b: Rect) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/** `rect` moved (not resized, unless it is larger than the area) so that all of it lies inside `area`. */
export const clampInto = (rect: Rect, area: Rect): Rect => {
  const width = Math.min(rect.width, area.width);
  const height = Math.min(rect.height, area.height);
  return {
    x: Math.round(Math.min(Math.max(rect.x, area.x), area.x + area.width - width)),
    y: Math.round(Math.min(Math.max(rect.y, area.y), area.y + area.height - height)),
    width,
    height,
  };
};

/** The display showing most of `rect`; null when it is on none. */
export const displayShowing = (rect: Rect, displays: readonly DisplayLike[]): DisplayLike | null => {
  let best: DisplayLike | null = null;
  let bestArea = 0;
  for (const display of displays) {
    const area = overlap(rect, display.bounds);
    if (area > bestArea) (best = display), (bestArea = area);
  }
  return best;
};

/** Bottom-right of the work area, clear of the edges: where a desktop pet usually sits. */
export const defaultPosition = (size: { width: number; height: number }, display: DisplayLike): Rect =>
  clampInto({ x: display.workArea.x + display.workArea.width - size.width - MARGIN, y: display.workArea.y + display.workArea.height - size.height - MARGIN, width: size.width, height: size.height }, display.workArea);

/**
 * Where the window opens: on the display she was last put on if it is connected (else the primary),
 * at the position remembered for that display (else the default), inside its work area.
 */
export const placeWindow = (size: { width: number; height: number }, displays: readonly DisplayLike[], primary: DisplayLike, saved: SavedPlacement): Rect => {
  const display = displays.find((d) => displayKey(d) === saved.lastDisplay) ?? primary;
  const offset = saved.byDisplay[displayKey(display)];
  if (!offset) return defaultPosition(size, display);
  return clampInto({ x: display.workArea.x + offset.dx, y: display.workArea.y + offset.dy, width: size.width, height: size.height }, display.workArea);
};

/** After the user moved her: her position remembered for the display she is now on. */
export const rememberPosition = (saved: SavedPlacement, bounds: Rect, displays: readonly DisplayLike[]): SavedPlacement => {
  const display = displayShowing(bounds, displays);
  if (!display) return saved;
  const inside = clampInto(bounds, display.workArea);
  const key = displayKey(display);
  return { lastDisplay: key, byDisplay: { ...saved.byDisplay, [key]: { dx: inside.x - display.workArea.x, dy: inside.y - display.workArea.y } } };
};

/**
 * After displays were added, removed or changed: back onto the display she was last put on when it
 * is (again) connected; otherwise kept on the display showing her, inside its work area; and when no
 * display shows her any more, placed afresh (the primary's remembered position or the default).
 */
export const placeAfterDisplayChange = (current: Rect, displays: readonly DisplayLike[], primary: DisplayLike, saved: SavedPlacement): Rect => {
  const showing = displayShowing(current, displays);
  const wanted = displays.find((d) => displayKey(d) === saved.lastDisplay);
  if (wanted && showing !== wanted) return placeWindow(current, displays, primary, saved);
  if (!showing) return placeWindow(current, displays, primary, saved);
  return clampInto(current, showing.workArea);
};
