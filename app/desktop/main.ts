/**
 * The desktop app's main process (Electron): starts `persona serve` (server-process.ts), shows a
 * loading view until it is healthy, then the main window (today's UI) and the desktop character — a
 * frameless, transparent, always-on-top window outside the taskbar, on every workspace, that lets clicks
 * through except on her opaque pixels (click-through.ts), moves where she is dragged and remembers it per
 * display (placement.ts). A tray menu (also on a right click on her) shows and hides her, switches the
 * character, opens the main window, resets position and click-through, and quits — stopping the server.
 * Every window is sandboxed, context-isolated, without Node, held to the local server (security.ts).
 *
 * This file only wires those plain modules to Electron; it is bundled to dist/main.cjs by launch.mjs.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DESKTOP_CHANNELS } from '../../protocol/desktop.js';
import type { BrowserWindow, ElectronMain, IpcMainEvent, MenuItemOptions, Tray } from './electron-api.js';
import { ServerProcess, describeStatus, type ServerStatus } from './server-process.js';
import { ClickThrough } from './click-through.js';
import { clampInto, displayShowing, placeAfterDisplayChange, placeWindow, rememberPosition } from './placement.js';
import { FALLBACK_CSP, navigationAllowed, newWindowAction, parseIpcArguments, refuseSender, secureWebPreferences } from './security.js';
import { chooseWindowMode, type CharacterWindowMode } from './window-mode.js';
import { loadSettings, saveSettings } from './settings.js';

const { app, BrowserWindow, ipcMain, screen, Menu, Tray: TrayIcon, nativeImage, shell, session } = require('electron') as ElectronMain;

/** dist/main.cjs lives in app/desktop/dist: the checkout (or the packaged app) is three folders up. */
const ROOT = path.resolve(__dirname, '../../..');
const HERE = path.resolve(__dirname, '..');
const PRELOAD = path.join(__dirname, 'preload.cjs');
const LOADING = path.join(HERE, 'loading.html');
const LOADING_URL = pathToFileURL(LOADING).href;
const ICON = path.join(HERE, 'icon.png');
/** The character window: she fills its width at the bottom; the room above is for the chat bubble. */
const CHARACTER_SIZE = { width: 280, height: 400 };
/** The opaque fallback: a normal framed window, a little larger to fit its title line. */
const OPAQUE_SIZE = { width: 300, height: 440 };
/** How often the cursor is checked against the character window for click-through. */
const CURSOR_POLL_MS = 33;

app.setName('Persona');
app.setPath('userData', path.join(app.getPath('appData'), 'persona-desktop'));
if (!app.requestSingleInstanceLock()) {
  console.log('persona desktop: already running; showing its main window');
  app.exit(0);
}
// Linux draws transparent windows only with transparent visuals (needs a compositing window manager).
if (process.platform === 'linux') app.commandLine.appendSwitch('enable-transparent-visuals');

const settingsFile = path.join(app.getPath('userData'), 'desktop.json');
const loaded = loadSettings(settingsFile);
if (loaded.problem) console.warn(`persona desktop: ${settingsFile}: ${loaded.problem}`);
const settings = loaded.settings;
const save = () => {
  try {
    saveSettings(settingsFile, settings);
  } catch (error) {
    console.warn(`persona desktop: could not save ${settingsFile}: ${(error as Error).message}`);
  }
};

// Inside the checkout, the Node that ran `npm run desktop` runs the server (its native modules are built for it);
// a packaged app runs it on Electron's own Node (electron-builder rebuilds the native modules for it).
const serverArgs = () => [path.join(ROOT, 'bin/persona.js'), 'serve', ...(settings.character ? ['--character', settings.character] : [])];
const server = new ServerProcess({
  command: app.isPackaged ? process.execPath : (process.env.PERSONA_NODE ?? 'node'),
  args: serverArgs(),
  env: app.isPackaged ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env,
  onStatus: (status) => showStatus(status),
  onLog: (line, stream) => (stream === 'stderr' ? console.error : console.log)(`server: ${line}`),
});
let serverOrigin: string | null = null;

let mainWindow: BrowserWindow | null = null;
let characterWindow: BrowserWindow | null = null;
let characterMode: CharacterWindowMode = { transparent: true };
/** Whether the user wants her on the desktop (hidden from the tray: not shown again by a server restart). */
let characterWanted = true;
let clickThrough: ClickThrough | null = null;
let cursorTimer: NodeJS.Timeout | null = null;
let drag: { cursor: { x: number; y: number }; window: { x: number; y: number } } | null = null;
let tray: Tray | null = null;
let characters: { id: string; name: string }[] = [];
let quitting = false;

// ---- security: every page of every window --------------------------------------------------------

app.on('web-contents-created', (_event, contents) => {
  const hold = (event: { preventDefault(): void; url?: string }, legacyUrl: string) => {
    // Electron 25+ puts the URL on the event; the second argument is its deprecated older place.
    const url = event.url ?? legacyUrl;
    if (navigationAllowed(url, serverOrigin, LOADING_URL)) return;
    event.preventDefault();
    console.warn(`persona desktop: blocked navigation to ${url.slice(0, 200)}`);
  };
  contents.on('will-navigate', hold);
  contents.on('will-redirect', hold);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (newWindowAction(url, serverOrigin) === 'open-in-browser') void shell.openExternal(url);
    return { action: 'deny' };
  });
});

// ---- windows --------------------------------------------------------------------------------------

const showMainWindow = () => {
  if (mainWindow && !mainWindow.isDestroyed()) {
    mainWindow.show();
    mainWindow.focus();
    return;
  }
  mainWindow = new BrowserWindow({ width: 1280, height: 820, title: 'Persona', icon: ICON, backgroundColor: '#15171d', autoHideMenuBar: true, webPreferences: secureWebPreferences(PRELOAD) });
  mainWindow.on('closed', () => (mainWindow = null));
  mainWindow.webContents.on('did-finish-load', () => sendStatus(mainWindow));
  void (server.status.state === 'ready' ? mainWindow.loadURL(server.pageUrl('/')) : mainWindow.loadFile(LOADING));
};

const sendStatus = (window: BrowserWindow | null) => {
  if (window && !window.isDestroyed() && window.webContents.getURL().startsWith(LOADING_URL)) window.webContents.send(DESKTOP_CHANNELS.status, describeStatus(server.status));
};

const stopCursorPolling = () => {
  if (cursorTimer) clearInterval(cursorTimer);
  cursorTimer = null;
};

/** While she is shown and click-through is on: the cursor against her window, and the page asked about it. */
const startCursorPolling = () => {
  stopCursorPolling();
  if (!characterMode.transparent) return;
  cursorTimer = setInterval(() => {
    const win = characterWindow;
    if (!win || win.isDestroyed() || !win.isVisible() || !clickThrough) return;
    const question = clickThrough.poll(screen.getCursorScreenPoint(), win.getBounds(), Date.now());
    if (question) win.webContents.send(DESKTOP_CHANNELS.hitTest, question);
  }, CURSOR_POLL_MS);
};

const showCharacter = () => {
  characterWanted = true;
  if (server.status.state !== 'ready') return;
  if (characterWindow && !characterWindow.isDestroyed()) {
    characterWindow.showInactive();
    startCursorPolling();
    return;
  }
  characterMode = chooseWindowMode({ platform: process.platform, env: process.env, argv: process.argv, preferOpaque: settings.opaque });
  if (!characterMode.transparent) console.warn(`persona desktop: opaque character window: ${characterMode.reason}`);
  const size = characterMode.transparent ? CHARACTER_SIZE : OPAQUE_SIZE;
  const bounds = placeWindow(size, screen.getAllDisplays(), screen.getPrimaryDisplay(), settings.placement);
  const win = new BrowserWindow({
    ...bounds,
    show: false,
    title: 'Persona — character',
    icon: ICON,
    webPreferences: secureWebPreferences(PRELOAD),
    ...(characterMode.transparent
      ? { frame: false, transparent: true, backgroundColor: '#00000000', hasShadow: false, alwaysOnTop: true, skipTaskbar: true, resizable: false, maximizable: false, minimizable: false, fullscreenable: false }
      : { frame: true, backgroundColor: '#262a35', autoHideMenuBar: true, resizable: true }),
  });
  characterWindow = win;
  if (characterMode.transparent) {
    win.setAlwaysOnTop(true, 'floating');
    win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    clickThrough = new ClickThrough({ setIgnoreMouseEvents: (ignore) => !win.isDestroyed() && win.setIgnoreMouseEvents(ignore, { forward: true }) });
  } else {
    clickThrough = null;
  }
  win.on('closed', () => {
    if (characterWindow === win) {
      characterWindow = null;
      clickThrough = null;
      stopCursorPolling();
    }
    rebuildMenu();
  });
  // The opaque window is moved by the window manager: remember where it was put.
  win.on('moved', () => {
    if (!drag && !win.isDestroyed()) rememberWhereSheIs(win);
  });
  win.on('show', () => (startCursorPolling(), rebuildMenu()));
  win.on('hide', () => (stopCursorPolling(), rebuildMenu()));
  win.webContents.on('render-process-gone', (_event, details) => {
    console.warn(`persona desktop: the character page stopped (${details.reason}); reloading it`);
    clickThrough?.reset(); // never left letting clicks through with no page to answer
    if (!win.isDestroyed()) win.webContents.reload();
  });
  win.once('ready-to-show', () => win.showInactive()); // she appears without taking focus from what the user is doing
  const query: Record<string, string> = characterMode.transparent ? {} : { mode: 'opaque', note: `${characterMode.reason} — opaque window` };
  void win.loadURL(server.pageUrl('/character', query));
};

const hideCharacter = () => {
  characterWanted = false;
  stopCursorPolling();
  characterWindow?.hide();
};

const rememberWhereSheIs = (win: BrowserWindow) => {
  settings.placement = rememberPosition(settings.placement, win.getBounds(), screen.getAllDisplays());
  save();
};

/** Displays came, went or changed: she goes back to her display if it returned, and stays inside one. */
const onDisplaysChanged = () => {
  const win = characterWindow;
  if (!win || win.isDestroyed()) return;
  win.setBounds(placeAfterDisplayChange(win.getBounds(), screen.getAllDisplays(), screen.getPrimaryDisplay(), settings.placement));
};

/** The tray's reset: clicks taken, drag dropped, back to the default corner of the primary display, shown. */
const resetCharacter = () => {
  drag = null;
  clickThrough?.reset();
  settings.placement = { byDisplay: {} };
  save();
  if (!characterWindow || characterWindow.isDestroyed()) return showCharacter();
  const { width, height } = characterWindow.getBounds();
  characterWindow.setBounds(placeWindow({ width, height }, screen.getAllDisplays(), screen.getPrimaryDisplay(), settings.placement));
  characterWindow.showInactive();
};

/** A new mode (opaque or transparent) needs a new window: Electron fixes transparency when a window is made. */
const recreateCharacter = () => {
  const old = characterWindow;
  characterWindow = null;
  clickThrough = null;
  stopCursorPolling();
  old?.close();
  showCharacter();
};

// ---- IPC from the character page ----------------------------------------------------------------

const listen = (channel: string, handle: (event: IpcMainEvent, args: unknown[]) => void) =>
  ipcMain.on(channel, (event, ...args) => {
    const refusal = refuseSender(
      { webContentsId: event.sender.id, frameUrl: event.senderFrame?.url ?? '', isMainFrame: event.senderFrame === event.sender.mainFrame },
      characterWindow && !characterWindow.isDestroyed() ? characterWindow.webContents.id : undefined,
      serverOrigin,
    );
    if (refusal) return console.warn(`persona desktop: ${channel} refused: ${refusal}`);
    const parsed = parseIpcArguments(channel, args);
    if (!parsed.ok) return console.warn(`persona desktop: ${channel} refused: ${parsed.reason}`);
    handle(event, args);
  });

listen(DESKTOP_CHANNELS.hitTestResult, (_event, [answer]) => {
  const { id, hit } = answer as { id: number; hit: boolean };
  clickThrough?.answer(id, hit, Date.now());
});
listen(DESKTOP_CHANNELS.dragStart, () => {
  const win = characterWindow!;
  const { x, y } = win.getBounds();
  drag = { cursor: screen.getCursorScreenPoint(), window: { x, y } };
  clickThrough?.setDragging(true, Date.now());
});
listen(DESKTOP_CHANNELS.dragMove, () => {
  const win = characterWindow!;
  if (!drag) return;
  const cursor = screen.getCursorScreenPoint();
  const { width, height } = win.getBounds();
  // setBounds with the size kept: setPosition alone can grow the window on scaled Windows displays.
  win.setBounds({ x: drag.window.x + cursor.x - drag.cursor.x, y: drag.window.y + cursor.y - drag.cursor.y, width, height });
});
listen(DESKTOP_CHANNELS.dragEnd, () => {
  const win = characterWindow!;
  drag = null;
  clickThrough?.setDragging(false, Date.now());
  // Dropped partly off-screen: back inside the display that shows most of her.
  const display = displayShowing(win.getBounds(), screen.getAllDisplays()) ?? screen.getPrimaryDisplay();
  win.setBounds(clampInto(win.getBounds(), display.workArea));
  rememberWhereSheIs(win);
});
listen(DESKTOP_CHANNELS.menu, () => {
  if (characterWindow) Menu.buildFromTemplate(menuTemplate()).popup({ window: characterWindow });
});

// ---- tray ---------------------------------------------------------------------------------------------

const switchCharacter = (id: string) => {
  if (id === (settings.character ?? 'aria')) return;
  settings.character = id;
  save();
  // A character is a server setting: restart it; the open pages reconnect and reload by themselves.
  void server.restart(serverArgs()).catch((error: Error) => console.error(`persona desktop: ${error.message}`));
};

const menuTemplate = (): MenuItemOptions[] => {
  const shown = !!characterWindow && !characterWindow.isDestroyed() && characterWindow.isVisible();
  const current = settings.character ?? 'aria';
  return [
    { label: describeStatus(server.status).slice(0, 120), enabled: false },
    { type: 'separator' },
    { label: 'Show character', type: 'checkbox', checked: shown, enabled: server.status.state === 'ready', click: () => (shown ? hideCharacter() : showCharacter()) },
    {
      label: 'Switch character',
      type: 'submenu',
      enabled: characters.length > 0,
      submenu: characters.map((c) => ({ label: c.name, type: 'radio' as const, checked: c.id === current, click: () => switchCharacter(c.id) })),
    },
    { label: 'Open main window', click: showMainWindow },
    { label: 'Reset position and click-through', click: resetCharacter },
    {
      label: 'Opaque window (when the desktop shows a box instead of transparency)',
      type: 'checkbox',
      checked: settings.opaque,
      click: () => {
        settings.opaque = !settings.opaque;
        save();
        recreateCharacter();
      },
    },
    { label: 'Restart server', click: () => void server.restart(serverArgs()).catch((error: Error) => console.error(`persona desktop: ${error.message}`)) },
    { type: 'separator' },
    { label: 'Quit', click: () => app.quit() },
  ];
};

const rebuildMenu = () => {
  if (!tray) return;
  tray.setContextMenu(Menu.buildFromTemplate(menuTemplate()));
  tray.setToolTip(`Persona — ${describeStatus(server.status)}`.slice(0, 127));
};

// ---- the server's status, shown where the user looks ------------------------------------------

const showStatus = (status: ServerStatus) => {
  console.log(`persona desktop: ${describeStatus(status)}`);
  if (status.state === 'ready') {
    const origin = status.url;
    const moved = serverOrigin !== origin;
    serverOrigin = origin;
    void loadCharacters();
    // Pages already on this server reconnect and reload by themselves; the loading view, or a server that moved, is sent to the UI.
    if (mainWindow && !mainWindow.isDestroyed() && (moved || mainWindow.webContents.getURL().startsWith(LOADING_URL))) void mainWindow.loadURL(server.pageUrl('/'));
    const open = !!characterWindow && !characterWindow.isDestroyed();
    if (open && moved) recreateCharacter();
    else if (!open && characterWanted) showCharacter();
  }
  sendStatus(mainWindow);
  rebuildMenu();
};

const loadCharacters = async () => {
  try {
    const response = await fetch(server.pageUrl('/api/characters'));
    const list = (await response.json()) as { id: string; name: string }[];
    characters = Array.isArray(list) ? list.slice(0, 100).filter((c) => typeof c.id === 'string' && typeof c.name === 'string') : [];
  } catch {
    characters = [];
  }
  rebuildMenu();
};

// ---- start and quit ------------------------------------------------------------------------------------

app.on('second-instance', showMainWindow);
// Closing windows does not quit: she stays on the desktop, the tray (or a right click on her) quits.
app.on('window-all-closed', () => undefined);
app.on('before-quit', () => {
  quitting = true;
  stopCursorPolling();
});
let serverStopped = false;
app.on('will-quit', (event) => {
  if (serverStopped) return;
  event.preventDefault();
  void server.stop().finally(() => {
    serverStopped = true;
    app.quit();
  });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

void app.whenReady().then(() => {
  const { defaultSession } = session;
  // No page gets a camera, microphone, notifications, location…: nothing here needs them.
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  // The server sends a policy with every page; anything that arrives without one gets the strict fallback.
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = details.responseHeaders ?? {};
    const has = Object.keys(headers).some((name) => name.toLowerCase() === 'content-security-policy');
    callback({ responseHeaders: has ? headers : { ...headers, 'Content-Security-Policy': [FALLBACK_CSP] } });
  });
  for (const event of ['display-added', 'display-removed', 'display-metrics-changed'] as const) screen.on(event, onDisplaysChanged);
  try {
    tray = new TrayIcon(nativeImage.createFromPath(ICON).resize({ width: 22, height: 22 }));
    tray.on('click', () => (characterWindow?.isVisible() ? hideCharacter() : showCharacter()));
  } catch (error) {
    console.warn(`persona desktop: no tray icon (${(error as Error).message}); right-click the character for the menu`);
  }
  rebuildMenu();
  showMainWindow();
  server.start().catch((error: Error) => {
    if (!quitting) console.error(`persona desktop: ${error.message}`);
  });
});
