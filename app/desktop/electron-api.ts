/**
 * The part of Electron's API the desktop app uses, typed here: Electron is not part of the default
 * install (its binary cannot be downloaded everywhere), so its own .d.ts may be missing and the project
 * must still type-check. Shapes follow Electron's documentation (electronjs.org/docs/latest/api).
 */
import type { Rect } from './placement.js';

export interface Point {
  x: number;
  y: number;
}

export interface Display {
  id: number;
  bounds: Rect;
  workArea: Rect;
}

export interface WebFrameMain {
  url: string;
}

export interface IpcMainEvent {
  sender: WebContents;
  senderFrame: WebFrameMain | null;
}

export interface WebContents {
  id: number;
  mainFrame: WebFrameMain;
  send(channel: string, ...args: unknown[]): void;
  getURL(): string;
  reload(): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void; url?: string }, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): void;
  on(event: 'did-finish-load', listener: () => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface BrowserWindowOptions extends Partial<Rect> {
  show?: boolean;
  title?: string;
  icon?: string;
  frame?: boolean;
  transparent?: boolean;
  backgroundColor?: string;
  hasShadow?: boolean;
  alwaysOnTop?: boolean;
  skipTaskbar?: boolean;
  resizable?: boolean;
  maximizable?: boolean;
  minimizable?: boolean;
  fullscreenable?: boolean;
  autoHideMenuBar?: boolean;
  webPreferences?: Record<string, unknown>;
}

export interface BrowserWindow {
  webContents: WebContents;
  loadURL(url: string): Promise<void>;
  loadFile(file: string): Promise<void>;
  show(): void;
  showInactive(): void;
  hide(): void;
  focus(): void;
  close(): void;
  isVisible(): boolean;
  isDestroyed(): boolean;
  getBounds(): Rect;
  setBounds(bounds: Partial<Rect>): void;
  setIgnoreMouseEvents(ignore: boolean, options?: { forward?: boolean }): void;
  setAlwaysOnTop(flag: boolean, level?: 'floating' | 'screen-saver' | 'pop-up-menu'): void;
  setVisibleOnAllWorkspaces(visible: boolean, options?: { visibleOnFullScreen?: boolean }): void;
  on(event: 'closed' | 'moved' | 'show' | 'hide', listener: () => void): void;
  once(event: 'ready-to-show', listener: () => void): void;
}

export interface MenuItemOptions {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  checked?: boolean;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemOptions[];
}

export interface Menu {
  popup(options?: { window?: unknown }): void;
}

export interface Tray {
  setToolTip(text: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): void;
}

export interface NativeImage {
  resize(options: { width: number; height: number }): NativeImage;
}

export interface ElectronMain {
  app: {
    isPackaged: boolean;
    commandLine: { appendSwitch(name: string, value?: string): void };
    whenReady(): Promise<void>;
    requestSingleInstanceLock(): boolean;
    setName(name: string): void;
    getPath(name: 'appData' | 'userData'): string;
    setPath(name: 'userData', value: string): void;
    quit(): void;
    exit(code?: number): void;
    on(event: 'second-instance' | 'window-all-closed' | 'before-quit', listener: () => void): void;
    on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): void;
  };
  BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindow;
  ipcMain: { on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): void };
  screen: {
    getAllDisplays(): Display[];
    getPrimaryDisplay(): Display;
    getCursorScreenPoint(): Point;
    on(event: 'display-added' | 'display-removed' | 'display-metrics-changed', listener: () => void): void;
  };
  Menu: { buildFromTemplate(template: MenuItemOptions[]): Menu };
  Tray: new (image: NativeImage) => Tray;
  nativeImage: { createFromPath(path: string): NativeImage };
  shell: { openExternal(url: string): Promise<void> };
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
      setPermissionCheckHandler(handler: () => boolean): void;
      webRequest: {
        onHeadersReceived(
          listener: (
            details: { url: string; responseHeaders?: Record<string, string[]> },
            callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
          ) => void,
        ): void;
      };
    };
  };
}

/** What the sandboxed preload gets from `require('electron')`. */
export interface ElectronPreload {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    send(channel: string, ...args: unknown[]): void;
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  };
}
