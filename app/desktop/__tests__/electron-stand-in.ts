/**
 * A stand-in for the part of Electron's main-process API the desktop app uses (electron-api.ts), for the
 * one thing that cannot run here: the Electron binary. It behaves as Electron documents those calls —
 * windows created hidden or shown, page loads that fire did-finish-load and ready-to-show, will-quit
 * that can be held with preventDefault — and records what the app did, so a test can load the real
 * bundled main process (dist/main.cjs) and drive it: displays, the cursor, IPC from pages, tray clicks.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Display, MenuItemOptions, Point } from '../electron-api.js';
import type { Rect } from '../placement.js';

let nextContentsId = 1;

export class StandInWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame = { url: '' };
  readonly sent: { channel: string; args: unknown[] }[] = [];
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  reloads = 0;

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  reload(): void {
    this.reloads++;
  }
  isDestroyed(): boolean {
    return false;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** A navigation the page starts (a link, location.href): returns whether the app let it go ahead. */
  pageNavigates(url: string): boolean {
    let prevented = false;
    this.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
    if (!prevented) this.mainFrame.url = url;
    return !prevented;
  }
  /** An IPC message from this page's top frame (or from a subframe at `frameUrl`). */
  ipc(ipcMain: EventEmitter, channel: string, args: unknown[], frame: { url: string } = this.mainFrame): void {
    ipcMain.emit(channel, { sender: this, senderFrame: frame }, ...args);
  }
}

export class StandInWindow extends EventEmitter {
  static readonly all: StandInWindow[] = [];
  readonly webContents = new StandInWebContents();
  bounds: Rect;
  visible: boolean;
  destroyed = false;
  /** Every setIgnoreMouseEvents call, in order, and whether it forwarded mouse moves. */
  readonly ignoring: { ignore: boolean; forward?: boolean }[] = [];
  onTop = false;
  onTopLevel: string | undefined;
  allWorkspaces = false;

  constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }, app: EventEmitter) {
    super();
    const o = options as Partial<Rect> & { show?: boolean; alwaysOnTop?: boolean };
    this.bounds = { x: o.x ?? 0, y: o.y ?? 0, width: o.width ?? 800, height: o.height ?? 600 };
    this.visible = false;
    this.onTop = o.alwaysOnTop ?? false;
    StandInWindow.all.push(this);
    app.emit('web-contents-created', {}, this.webContents);
    if (o.show !== false) this.visible = true;
  }
  private load(url: string): Promise<void> {
    this.webContents.mainFrame.url = url;
    setImmediate(() => {
      if (this.destroyed) return;
      this.webContents.emit('did-finish-load');
      this.emit('ready-to-show');
    });
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    return this.load(url);
  }
  loadFile(file: string): Promise<void> {
    return this.load(pathToFileURL(file).href);
  }
  show(): void {
    this.visible = true;
    this.emit('show');
  }
  showInactive(): void {
    this.show();
  }
  hide(): void {
    this.visible = false;
    this.emit('hide');
  }
  focus(): void {}
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getBounds(): Rect {
    return { ...this.bounds };
  }
  setBounds(bounds: Partial<Rect>): void {
    this.bounds = { ...this.bounds, ...bounds };
  }
  setIgnoreMouseEvents(ignore: boolean, options?: { forward?: boolean }): void {
    this.ignoring.push({ ignore, forward: options?.forward });
  }
  setAlwaysOnTop(flag: boolean, level?: string): void {
    this.onTop = flag;
    this.onTopLevel = level;
  }
  setVisibleOnAllWorkspaces(visible: boolean): void {
    this.allWorkspaces = visible;
  }
}

export interface StandInMenu {
  template: MenuItemOptions[];
  popups: number;
  popup(): void;
}

/** A menu item by the start of its label (submenus searched too). */
export const menuItem = (menu: StandInMenu, label: string): MenuItemOptions => {
  const find = (items: MenuItemOptions[]): MenuItemOptions | undefined => {
    for (const item of items) {
      if (item.label?.startsWith(label)) return item;
      const inner = item.submenu && find(item.submenu);
      if (inner) return inner;
    }
  };
  const found = find(menu.template);
  if (!found) throw new Error(`no menu item "${label}" in ${JSON.stringify(menu.template.map((i) => i.label))}`);
  return found;
};

export const createElectronStandIn = () => {
  let ready!: () => void;
  const whenReady = new Promise<void>((resolve) => (ready = resolve));
  const appData = mkdtempSync(path.join(os.tmpdir(), 'persona-desktop-appdata-'));
  const paths: Record<string, string> = { appData, userData: path.join(appData, 'Electron') };
  const switches: string[] = [];
  let quitHeld = 0;
  let quitted!: () => void;
  const hasQuit = new Promise<void>((resolve) => (quitted = resolve));
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    commandLine: { appendSwitch: (name: string) => void switches.push(name) },
    whenReady: () => whenReady,
    requestSingleInstanceLock: () => true,
    setName: () => undefined,
    getPath: (name: string) => paths[name]!,
    setPath: (name: string, value: string) => void (paths[name] = value),
    exit: (code = 0) => {
      throw new Error(`app.exit(${code}) called`);
    },
    quit: () => {
      app.emit('before-quit');
      let held = false;
      app.emit('will-quit', { preventDefault: () => (held = true) });
      if (held) quitHeld++;
      else quitted();
    },
  });
  const screen = Object.assign(new EventEmitter(), {
    displays: [] as Display[],
    cursor: { x: 0, y: 0 } as Point,
    getAllDisplays: () => screen.displays.map((d) => ({ ...d })),
    getPrimaryDisplay: () => ({ ...screen.displays[0]! }),
    getCursorScreenPoint: () => ({ ...screen.cursor }),
  });
  const menus: StandInMenu[] = [];
  const trays: { tooltip: string; tooltips: string[]; menu: StandInMenu | null }[] = [];
  const opened: string[] = [];
  const permissionHandlers: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)[] = [];
  const headerListeners: ((details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders?: Record<string, string[]> }) => void) => void)[] = [];
  const electron = {
    app,
    BrowserWindow: class extends StandInWindow {
      constructor(options: Record<string, unknown>) {
        super(options, app);
      }
    },
    ipcMain: new EventEmitter(),
    screen,
    Menu: {
      buildFromTemplate: (template: MenuItemOptions[]): StandInMenu => {
        const menu: StandInMenu = { template, popups: 0, popup: () => void menu.popups++ };
        menus.push(menu);
        return menu;
      },
    },
    Tray: class {
      readonly record = { tooltip: '', tooltips: [] as string[], menu: null as StandInMenu | null };
      constructor() {
        trays.push(this.record);
      }
      setToolTip(text: string) {
        this.record.tooltip = text;
        this.record.tooltips.push(text);
      }
      setContextMenu(menu: StandInMenu) {
        this.record.menu = menu;
      }
      on() {}
    },
    nativeImage: { createFromPath: () => ({ resize() { return this; } }) },
    shell: { openExternal: async (url: string) => void opened.push(url) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: (typeof permissionHandlers)[number]) => void permissionHandlers.push(h),
        setPermissionCheckHandler: () => undefined,
        webRequest: { onHeadersReceived: (l: (typeof headerListeners)[number]) => void headerListeners.push(l) },
      },
    },
  };
  return { electron, ready, paths, switches, menus, trays, opened, permissionHandlers, headerListeners, hasQuit, quitHeld: () => quitHeld };
};
