/**
 * Click-through for the character window: clicks pass to the desktop everywhere except on the
 * character's opaque pixels. The main process polls the cursor; while it is over the window, the page
 * answers "is she under this point?" (an alpha hit test). Taking clicks is switched on at once (a click
 * on her must never fall through to the desktop); letting them through again waits until the cursor
 * has been off her for `releaseMs` (no flicker along her outline), and never happens mid-drag.
 *
 * It must never get stuck letting clicks through (AIRI #2160): when the page stops answering (hung,
 * reloading, crashed) the window takes clicks again, and `reset()` — the tray's "Reset position and
 * click-through" — puts it in the known state: taking clicks, nothing pending.
 */
import type { Rect } from './placement.js';

export interface ClickThroughOptions {
  /** Applies the decision: `win.setIgnoreMouseEvents(ignore, { forward: true })`. */
  setIgnoreMouseEvents(ignore: boolean): void;
  /** How long the cursor must be off her before clicks pass through again. */
  releaseMs?: number;
  /** No answer from the page for this long while the cursor is over the window: take clicks (fail safe). */
  staleMs?: number;
}

export interface HitTestQuestion {
  id: number;
  /** CSS pixels inside the window. */
  x: number;
  y: number;
}

export const RELEASE_MS = 150;
export const STALE_MS = 1000;

export class ClickThrough {
  /** Whether the window lets clicks through right now. */
  ignoring = false;
  private enabled = true;
  private dragging = false;
  private nextId = 1;
  /** The newest question answered so far. */
  private lastAnswered = 0;
  /** Since when a question has been waiting for its answer (null when none waits). */
  private unansweredSince: number | null = null;
  /** Since when the cursor has been off her (null while on her or unknown). */
  private offSince: number | null = null;
  private readonly releaseMs: number;
  private readonly staleMs: number;

  constructor(private readonly options: ClickThroughOptions) {
    this.releaseMs = options.releaseMs ?? RELEASE_MS;
    this.staleMs = options.staleMs ?? STALE_MS;
    options.setIgnoreMouseEvents(false);
  }

  /**
   * One poll of the cursor against the window's bounds (both in screen DIPs, as Electron's `screen`
   * gives them) at time `now`. Returns the question for the page when the cursor is over the window.
   */
  poll(cursor: { x: number; y: number }, bounds: Rect, now: number): HitTestQuestion | null {
    if (!this.enabled || this.dragging) return null;
    const inside = cursor.x >= bounds.x && cursor.y >= bounds.y && cursor.x < bounds.x + bounds.width && cursor.y < bounds.y + bounds.height;
    if (!inside) {
      // Off the window is off her; letting clicks through by then means a cursor coming back over a clear pixel finds the desktop.
      this.unansweredSince = null;
      this.miss(now);
      return null;
    }
    if (this.unansweredSince !== null && now - this.unansweredSince >= this.staleMs) {
      // The page has not answered for a while: take clicks rather than risk a character nobody can click.
      this.offSince = null;
      this.apply(false);
    } else {
      this.settle(now);
    }
    this.unansweredSince ??= now;
    return { id: this.nextId++, x: cursor.x - bounds.x, y: cursor.y - bounds.y };
  }

  /** The page's answer to question `id`; one older than an answer already taken is ignored. */
  answer(id: number, hit: boolean, now: number): void {
    if (!this.enabled || id <= this.lastAnswered || id >= this.nextId) return;
    this.lastAnswered = id;
    this.unansweredSince = null;
    if (hit) {
      this.offSince = null;
      this.apply(false);
    } else {
      this.miss(now);
    }
  }

  /** While dragging, the window takes every click (the cursor can run ahead of her). */
  setDragging(dragging: boolean, now: number): void {
    this.dragging = dragging;
    if (dragging) {
      this.offSince = null;
      this.apply(false);
    } else {
      this.offSince = now;
    }
  }

  /** Off: the window always takes clicks (the opaque fallback window). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.reset();
  }

  /** Back to the known state: taking clicks, no question pending, no release scheduled. */
  reset(): void {
    this.unansweredSince = null;
    this.lastAnswered = this.nextId - 1; // answers to questions asked before the reset are stale
    this.offSince = null;
    this.dragging = false;
    this.apply(false);
  }

  private miss(now: number): void {
    this.offSince ??= now;
    this.settle(now);
  }

  private settle(now: number): void {
    if (this.offSince !== null && !this.dragging && now - this.offSince >= this.releaseMs) this.apply(true);
  }

  private apply(ignore: boolean): void {
    if (ignore === this.ignoring) return;
    this.ignoring = ignore;
    this.options.setIgnoreMouseEvents(ignore);
  }
}
