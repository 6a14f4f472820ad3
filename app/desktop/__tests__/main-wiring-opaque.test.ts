/**
 * The desktop main process (bundled main.cjs, Electron stood in: electron-stand-in.ts) on a Wayland
 * session, where windows can be neither placed nor clicked through: the character comes as an opaque,
 * framed window in the taskbar that says why, and click-through never starts — a window the user can
 * always click and close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { DESKTOP_CHANNELS } from '../../../protocol/desktop.js';
import { createElectronStandIn, menuItem, StandInWindow } from './electron-stand-in.js';

const root = path.resolve(import.meta.dirname, '../../..');
const stand = createElectronStandIn();
const saved = { ...process.env };

const until = async (what: string, check: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

beforeAll(() => {
  expect(spawnSync(process.execPath, [path.join(root, 'app/desktop/launch.mjs'), '--bundle-only'], { cwd: root }).status).toBe(0);
  Object.assign(process.env, { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0', PERSONA_NODE: process.execPath });
  delete process.env.ELECTRON_OZONE_PLATFORM_HINT;
  stand.electron.screen.displays = [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }];
  const resolve = (Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string })._resolveFilename;
  (Module as unknown as { _resolveFilename: typeof resolve })._resolveFilename = function (request, ...rest) {
    return request === 'electron' ? 'electron' : resolve.call(this, request, ...rest);
  };
  (Module as unknown as { _cache: Record<string, unknown> })._cache.electron = { id: 'electron', filename: 'electron', loaded: true, exports: stand.electron };
  createRequire(import.meta.url)(path.join(root, 'app/desktop/dist/main.cjs'));
  stand.ready();
});

afterAll(async () => {
  menuItem(stand.trays[0]!.menu!, 'Quit').click!();
  await stand.hasQuit;
  process.env = saved;
});

describe('the desktop main process on Wayland', () => {
  it('opens the character as an opaque framed window in the taskbar, with the reason on it', async () => {
    await until('the character window', () => StandInWindow.all.some((w) => /\/character\?/.test(w.webContents.getURL()) && w.visible));
    const win = StandInWindow.all.find((w) => /\/character\?/.test(w.webContents.getURL()))!;
    expect(win.options).toMatchObject({ frame: true, resizable: true });
    expect(win.options.transparent).toBeUndefined();
    expect(win.options.skipTaskbar).toBeUndefined();
    expect(win.options.alwaysOnTop).toBeUndefined();
    const url = new URL(win.webContents.getURL());
    expect(url.searchParams.get('mode')).toBe('opaque');
    expect(url.searchParams.get('note')).toMatch(/^Wayland cannot place or click through windows: start with --ozone-platform=x11/);
  });

  it('never lets clicks through, and asks the page nothing', async () => {
    const win = StandInWindow.all.find((w) => /\/character\?/.test(w.webContents.getURL()))!;
    stand.electron.screen.cursor = { x: 5, y: 5 };
    await new Promise((resolve) => setTimeout(resolve, 300));
    stand.electron.screen.cursor = { x: win.bounds.x + 50, y: win.bounds.y + 50 };
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(win.ignoring.filter((c) => c.ignore)).toEqual([]);
    expect(win.webContents.sent.filter((m) => m.channel === DESKTOP_CHANNELS.hitTest)).toEqual([]);
    // The tray offers the opaque window as chosen-or-not; here it was not chosen, the desktop decided.
    expect(menuItem(stand.trays[0]!.menu!, 'Opaque window').checked).toBe(false);
  });
});
