/**
 * The desktop app's real main process (the bundled dist/main.cjs) against a stand-in for Electron's API
 * (electron-stand-in.ts: the binary cannot run here) and a real `persona serve`: the loading view, then
 * the UI; the character window's options; click-through driven by the cursor and the page's answers;
 * IPC from the wrong window refused; drag, per-display memory and display changes; the tray's reset;
 * a server that dies restarted; quitting stops the server. What only a real Electron can show (pixels
 * on a desktop, the OS honouring click-through) is electron-e2e.test.ts's, where Electron exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { DESKTOP_CHANNELS, type HitTestRequest } from '../../../protocol/desktop.js';
import { isAlive } from '../server-process.js';
import { RELEASE_MS } from '../click-through.js';
import { createElectronStandIn, menuItem, StandInWindow } from './electron-stand-in.js';

const root = path.resolve(import.meta.dirname, '../../..');
const stand = createElectronStandIn();
const { electron, screen } = { electron: stand.electron, screen: stand.electron.screen };
const laptop = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const monitor = { id: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } };
const saved = { env: { ...process.env } };

const until = async (what: string, check: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const windowAt = (pattern: RegExp) => StandInWindow.all.find((w) => !w.destroyed && pattern.test(w.webContents.getURL()));
const character = () => windowAt(/\/character\?/)!;
const mainWindow = () => StandInWindow.all.find((w) => !w.destroyed && !/\/character\?/.test(w.webContents.getURL()))!;
const trayMenu = () => stand.trays[0]!.menu!;
const serverChild = () => {
  const out = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
  const line = out.split('\n').find((l) => /bin\/persona\.js serve/.test(l));
  return line ? Number(line.trim().split(/\s+/)[0]) : 0;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  expect(spawnSync(process.execPath, [path.join(root, 'app/desktop/launch.mjs'), '--bundle-only'], { cwd: root }).status).toBe(0);
  // An X11 desktop with a laptop display; the server runs on this Node.
  Object.assign(process.env, { DISPLAY: ':0', XDG_SESSION_TYPE: 'x11', PERSONA_NODE: process.execPath });
  delete process.env.WAYLAND_DISPLAY;
  delete process.env.PERSONA_DESKTOP_OPAQUE;
  screen.displays = [laptop];
  screen.cursor = { x: 10, y: 10 };
  // `require('electron')` in the bundle gets the stand-in.
  const resolve = (Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string })._resolveFilename;
  (Module as unknown as { _resolveFilename: typeof resolve })._resolveFilename = function (request, ...rest) {
    return request === 'electron' ? 'electron' : resolve.call(this, request, ...rest);
  };
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  cache.electron = { id: 'electron', filename: 'electron', loaded: true, exports: electron };
  createRequire(import.meta.url)(path.join(root, 'app/desktop/dist/main.cjs'));
});

afterAll(async () => {
  const pid = serverChild();
  if (pid) process.kill(pid, 'SIGKILL');
  process.env = saved.env;
});

describe('the desktop main process (bundled main.cjs, Electron stood in)', () => {
  it('before ready: transparent visuals asked for on Linux; nothing opened yet', () => {
    expect(stand.switches).toContain('enable-transparent-visuals');
    expect(StandInWindow.all).toHaveLength(0);
    expect(stand.paths.userData).toMatch(/persona-desktop$/);
  });

  it('opens the loading view with the server’s status, then today’s UI once /api/health answers', async () => {
    stand.ready();
    await until('the main window', () => StandInWindow.all.length > 0);
    const main = StandInWindow.all[0]!;
    expect(main.webContents.getURL()).toMatch(/app\/desktop\/loading\.html$/);
    await until('the loading view told the status', () => main.webContents.sent.some((m) => m.channel === DESKTOP_CHANNELS.status));
    expect(main.webContents.sent.find((m) => m.channel === DESKTOP_CHANNELS.status)!.args[0]).toBe('Starting the persona server…');
    await until('the UI', () => /^http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(main.webContents.getURL()), 30_000);
    const url = new URL(main.webContents.getURL());
    const health = await fetch(`${url.origin}/api/health`, { headers: { authorization: `Bearer ${url.searchParams.get('token')}` } });
    expect(health.status).toBe(200);
    expect(main.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(existsSync(main.options.webPreferences!.preload as string)).toBe(true);
  });

  it('the character window: frameless, transparent, on top, out of the taskbar, on all workspaces, bottom-right, sandboxed', async () => {
    await until('the character window', () => !!windowAt(/\/character\?token=/) && character().visible);
    const win = character();
    expect(win.options).toMatchObject({ frame: false, transparent: true, alwaysOnTop: true, skipTaskbar: true, resizable: false, hasShadow: false });
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(win.onTop).toBe(true);
    expect(win.allWorkspaces).toBe(true);
    expect(win.bounds).toEqual({ x: 1920 - 280 - 24, y: 1040 - 400 - 24, width: 280, height: 400 });
    // The page it loads is served (with its policy) by the real server.
    const page = await fetch(win.webContents.getURL());
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('holds every window to the local server; other links open in the browser; no permissions', () => {
    const main = mainWindow();
    const origin = new URL(main.webContents.getURL()).origin;
    expect(main.webContents.pageNavigates('https://example.com/')).toBe(false);
    expect(main.webContents.pageNavigates('file:///etc/passwd')).toBe(false);
    expect(main.webContents.pageNavigates(`${origin}/viewer`)).toBe(true);
    expect(main.webContents.openHandler!({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    expect(main.webContents.openHandler!({ url: `${origin}/obs` })).toEqual({ action: 'deny' });
    expect(stand.opened).toEqual(['https://github.com/']);
    let granted: boolean | null = null;
    stand.permissionHandlers[0]!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    const headers = (responseHeaders: Record<string, string[]>) => {
      let out: Record<string, string[]> | undefined;
      stand.headerListeners[0]!({ url: origin, responseHeaders }, (r) => (out = r.responseHeaders));
      return out!;
    };
    expect(headers({ 'content-type': ['application/json'] })['Content-Security-Policy']![0]).toMatch(/^default-src 'self'/);
    expect(headers({ 'content-security-policy': ["default-src 'none'"] })).toEqual({ 'content-security-policy': ["default-src 'none'"] });
  });

  it('click-through: clicks pass once the cursor is off her, the page is asked while it is over the window, a hit takes clicks', async () => {
    const win = character();
    screen.cursor = { x: 10, y: 10 };
    await until('clicks let through', () => win.ignoring.at(-1)?.ignore === true, 2000);
    expect(win.ignoring.at(-1)).toEqual({ ignore: true, forward: true });
    const asked = win.webContents.sent.length;
    screen.cursor = { x: win.bounds.x + 140, y: win.bounds.y + 250 };
    await until('a hit-test question', () => win.webContents.sent.slice(asked).some((m) => m.channel === DESKTOP_CHANNELS.hitTest));
    const question = win.webContents.sent.slice(asked).find((m) => m.channel === DESKTOP_CHANNELS.hitTest)!.args[0] as HitTestRequest;
    expect(question).toMatchObject({ x: 140, y: 250 });
    // The main window may not answer for the character; nor may a subframe, nor a malformed answer.
    mainWindow().webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.hitTestResult, [{ id: question.id, hit: true }]);
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.hitTestResult, [{ id: question.id, hit: true }], { url: 'https://evil.example/' });
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.hitTestResult, [{ id: question.id, hit: 'yes' }]);
    expect(win.ignoring.at(-1)!.ignore).toBe(true);
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.hitTestResult, [{ id: question.id, hit: true }]);
    expect(win.ignoring.at(-1)!.ignore).toBe(false);
  });

  it('a page that stops answering never leaves her click-through', async () => {
    const win = character();
    screen.cursor = { x: 10, y: 10 };
    await until('clicks let through', () => win.ignoring.at(-1)?.ignore === true, 2000);
    screen.cursor = { x: win.bounds.x + 140, y: win.bounds.y + 250 }; // over the window; nobody answers
    await until('clicks taken again', () => win.ignoring.at(-1)?.ignore === false, 3000);
  });

  it('drag: the window follows the cursor; dropped half off-screen it comes back inside; the place is remembered', async () => {
    const win = character();
    const start = win.getBounds();
    screen.cursor = { x: start.x + 140, y: start.y + 250 };
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragStart, []);
    screen.cursor = { x: start.x + 140 - 600, y: start.y + 250 - 300 };
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragMove, []);
    expect(win.bounds).toEqual({ ...start, x: start.x - 600, y: start.y - 300 });
    // On past the top edge, and let go.
    screen.cursor = { x: start.x + 140 - 600, y: 100 };
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragMove, []);
    expect(win.bounds.y).toBeLessThan(0);
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragEnd, []);
    expect(win.bounds).toEqual({ ...start, x: start.x - 600, y: 0 });
    const file = JSON.parse(readFileSync(path.join(stand.paths.userData!, 'desktop.json'), 'utf8'));
    expect(file.placement).toEqual({ lastDisplay: '1', byDisplay: { '1': { dx: start.x - 600, dy: 0 } } });
    // A drag message from another window moves nothing.
    mainWindow().webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragStart, []);
    mainWindow().webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragMove, []);
    expect(win.bounds.y).toBe(0);
  });

  it('displays: moved to a second monitor, which is unplugged (she comes back) and plugged in again (she returns)', async () => {
    const win = character();
    screen.displays = [laptop, monitor];
    screen.emit('display-added');
    const from = win.getBounds();
    screen.cursor = { x: from.x + 10, y: from.y + 10 };
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragStart, []);
    screen.cursor = { x: 3000 + 10, y: 500 + 10 };
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragMove, []);
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.dragEnd, []);
    expect(win.bounds).toMatchObject({ x: 3000, y: 500 });
    screen.displays = [laptop];
    screen.emit('display-removed');
    expect(win.bounds).toEqual({ ...from }); // the laptop's remembered place
    screen.displays = [laptop, monitor];
    screen.emit('display-added');
    expect(win.bounds).toMatchObject({ x: 3000, y: 500 });
    // The monitor's resolution drops under her: clamped inside it.
    screen.displays = [laptop, { ...monitor, bounds: { ...monitor.bounds, width: 1280, height: 720 }, workArea: { x: 1920, y: 0, width: 1280, height: 720 } }];
    screen.emit('display-metrics-changed');
    expect(win.bounds).toEqual({ x: 1920 + 1280 - 280, y: 720 - 400, width: 280, height: 400 });
  });

  it('the tray: status line, reset position and click-through, hide and show, right-click menu on her', async () => {
    const win = character();
    expect(menuItem(trayMenu(), 'Server running at http://127.0.0.1:').enabled).toBe(false);
    expect(stand.trays[0]!.tooltip).toMatch(/^Persona — Server running at/);
    expect(menuItem(trayMenu(), 'Aria').checked).toBe(true); // Switch character lists the server's characters
    expect(menuItem(trayMenu(), 'Kai').type).toBe('radio');
    // Reset: clicks taken, back to the primary display's corner, shown.
    screen.cursor = { x: 10, y: 10 };
    await until('clicks let through', () => win.ignoring.at(-1)?.ignore === true, 2000);
    menuItem(trayMenu(), 'Reset position and click-through').click!();
    expect(win.ignoring.at(-1)!.ignore).toBe(false);
    expect(win.bounds).toEqual({ x: 1920 - 280 - 24, y: 1040 - 400 - 24, width: 280, height: 400 });
    menuItem(trayMenu(), 'Show character').click!();
    expect(win.visible).toBe(false);
    expect(menuItem(trayMenu(), 'Show character').checked).toBe(false);
    menuItem(trayMenu(), 'Show character').click!();
    expect(win.visible).toBe(true);
    const menus = stand.menus.length;
    win.webContents.ipc(electron.ipcMain, DESKTOP_CHANNELS.menu, []);
    expect(stand.menus.length).toBe(menus + 1);
    expect(stand.menus.at(-1)!.popups).toBe(1);
    // Closing the main window does not quit; the tray opens a new one.
    mainWindow().close();
    expect(stand.quitHeld()).toBe(0);
    menuItem(trayMenu(), 'Open main window').click!();
    await until('a new main window on the UI', () => /\/\?token=/.test(mainWindow()?.webContents.getURL() ?? ''));
  });

  it('a server that dies is restarted; the tray says so; the character window stays', async () => {
    const win = character();
    const pid = serverChild();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const said = () => stand.trays[0]!.tooltips.find((t) => /restarting in 1 s/.test(t));
    await until('the tray to say it restarts', () => !!said(), 5000);
    expect(said()).toBe('Persona — The server stopped (killed by SIGKILL); restarting in 1 s (attempt 2)');
    await until('a new server', () => serverChild() > 0 && serverChild() !== pid && /Server running/.test(stand.trays[0]!.tooltip), 20_000);
    expect(character()).toBe(win); // same port: the page reconnects by itself
    await sleep(RELEASE_MS);
  });

  it('quit: the server is stopped before the app exits; no process left', async () => {
    const pid = serverChild();
    expect(isAlive(pid)).toBe(true);
    menuItem(trayMenu(), 'Quit').click!();
    expect(stand.quitHeld()).toBe(1); // held until the server is down
    await stand.hasQuit;
    expect(isAlive(pid)).toBe(false);
    expect(serverChild()).toBe(0);
  });
});
