/**
 * The desktop app's security rules, as plain functions the main process applies to Electron's events:
 * every window sandboxed with context isolation and no Node; navigation and new windows only to the
 * local server (other http(s) links open in the user's browser); IPC accepted only from the window
 * it belongs to, showing a page of the local server, with well-formed arguments.
 */
import { DESKTOP_CHANNELS, type HitTestAnswer } from '../../protocol/desktop.js';

/** The webPreferences of every window (the preload is the only bridge between a page and the app). */
export const secureWebPreferences = (preload: string) => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
});

/** For responses that carry no policy of their own (the server's pages carry theirs): nothing but this origin. */
export const FALLBACK_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const originOf = (url: string): string | null => {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : parsed.protocol === 'file:' ? 'file://' : null;
  } catch {
    return null;
  }
};

/** Is `url` a page of the local server (same scheme, host and port)? */
export const isLocalServerUrl = (url: string, serverOrigin: string | null): boolean => serverOrigin !== null && originOf(url) === serverOrigin;

/**
 * May a window go to `url`? Only to the local server, or to the app's own loading view (a file the
 * app ships). A page cannot take a window anywhere else.
 */
export const navigationAllowed = (url: string, serverOrigin: string | null, loadingViewUrl: string): boolean =>
  isLocalServerUrl(url, serverOrigin) || url.split(/[?#]/)[0] === loadingViewUrl;

/** What to do with window.open / target=_blank: never a new app window; an http(s) link elsewhere opens in the user's browser. */
export const newWindowAction = (url: string, serverOrigin: string | null): 'deny' | 'open-in-browser' => {
  const origin = originOf(url);
  if (!origin || origin === 'file://' || isLocalServerUrl(url, serverOrigin)) return 'deny';
  return 'open-in-browser';
};

export interface IpcSender {
  /** The webContents id of the window the message came from. */
  webContentsId: number;
  /** The URL of the frame that sent it (Electron's `event.senderFrame.url`), and whether that frame is the top one. */
  frameUrl: string;
  isMainFrame: boolean;
}

/** Why a message is refused, or null when its sender may send it: the expected window, its top frame, a page of the local server. */
export const refuseSender = (sender: IpcSender, expectedWebContentsId: number | undefined, serverOrigin: string | null): string | null => {
  if (expectedWebContentsId === undefined || sender.webContentsId !== expectedWebContentsId) return `from window ${sender.webContentsId}, not the character window`;
  if (!sender.isMainFrame) return 'from a subframe';
  if (!isLocalServerUrl(sender.frameUrl, serverOrigin)) return `from ${sender.frameUrl.slice(0, 100)}, not a page of the local server`;
  return null;
};

/** The arguments each page → main channel takes: the drag and menu messages none, the hit-test answer `{ id, hit }`. */
export const parseIpcArguments = (channel: string, args: unknown[]): { ok: true; answer?: HitTestAnswer } | { ok: false; reason: string } => {
  switch (channel) {
    case DESKTOP_CHANNELS.dragStart:
    case DESKTOP_CHANNELS.dragMove:
    case DESKTOP_CHANNELS.dragEnd:
    case DESKTOP_CHANNELS.menu:
      return args.length === 0 ? { ok: true } : { ok: false, reason: `${channel} takes no arguments` };
    case DESKTOP_CHANNELS.hitTestResult: {
      const [answer] = args as [Partial<HitTestAnswer> | undefined];
      if (args.length !== 1 || typeof answer !== 'object' || answer === null) return { ok: false, reason: `${channel} takes one { id, hit }` };
      const { id, hit } = answer;
      if (!Number.isSafeInteger(id) || id! < 1 || typeof hit !== 'boolean' || Object.keys(answer).length !== 2) {
        return { ok: false, reason: `${channel} takes { id: a positive integer, hit: a boolean }` };
      }
      return { ok: true, answer: { id: id!, hit } };
    }
    default:
      return { ok: false, reason: `no channel ${channel.slice(0, 60)}` };
  }
};
