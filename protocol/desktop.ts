/**
 * The desktop shell's contract between its main process (app/desktop/) and the pages it shows: the
 * IPC channel names, and the bridge its preload puts on `window.personaDesktop`. A page opened in a
 * plain browser has no bridge and works without it.
 */

export const DESKTOP_CHANNELS = {
  /** Page → main: the pointer went down on the character and moved: the window follows the cursor. */
  dragStart: 'persona:drag-start',
  dragMove: 'persona:drag-move',
  dragEnd: 'persona:drag-end',
  /** Main → page: is the pixel under this point (CSS px in the window) part of the character? `HitTestRequest`. */
  hitTest: 'persona:hit-test',
  /** Page → main: the answer, `HitTestAnswer`. */
  hitTestResult: 'persona:hit-test-result',
  /** Page → main: the character was right-clicked: show the app's menu there (also where no tray icon shows). */
  menu: 'persona:menu',
  /** Main → the loading view (the preload writes it into the page): what the server is doing ("starting…", "restarting in 2 s…"). */
  status: 'persona:status',
} as const;

export interface HitTestRequest {
  id: number;
  x: number;
  y: number;
}

export interface HitTestAnswer {
  id: number;
  hit: boolean;
}

/** What the preload exposes, and nothing more. */
export interface DesktopBridge {
  dragStart(): void;
  dragMove(): void;
  dragEnd(): void;
  openMenu(): void;
  /** Registers the page's hit test; the main process asks it where the cursor is. */
  onHitTest(answer: (x: number, y: number) => boolean): void;
}
