/**
 * The desktop app end to end in a real Electron under Xvfb, driven by playwright-core's Electron support.
 * Runs only where an Electron binary is available: ELECTRON_OVERRIDE_DIST_PATH names the folder of an
 * unpacked Electron release (its `electron` executable); DISPLAY, or else an `Xvfb` on the PATH, gives it
 * a screen. Everywhere else (this project's CI machine has no access to Electron's release host) it is
 * skipped, and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { isAlive } from '../server-process.js';

const DIST = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const SKIP_REASON = 'skipped: no Electron binary here; set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron release to run the desktop app end to end';
if (!DIST) console.warn(`electron-e2e: ${SKIP_REASON}`);

const root = path.resolve(import.meta.dirname, '../../..');
const EXECUTABLE = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron';

let xvfb: ChildProcess | null = null;
let app: ElectronApplication;
let serverPid = 0;

/** A display for Electron: the one we are on, or a fresh Xvfb. */
const display = async (): Promise<string> => {
  if (process.env.DISPLAY) return process.env.DISPLAY;
  if (spawnSync('which', ['Xvfb']).status !== 0) throw new Error('no DISPLAY and no Xvfb: `apt-get install -y xvfb` (or run inside xvfb-run)');
  const name = `:${90 + Math.floor(Math.random() * 9)}`;
  xvfb = spawn('Xvfb', [name, '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (xvfb.exitCode !== null) throw new Error(`Xvfb ${name} exited (${xvfb.exitCode})`);
  return name;
};

/** Polls until a window of the app shows a URL matching `pattern`. */
const windowAt = async (pattern: RegExp, ms = 30_000): Promise<Page> => {
  const until = Date.now() + ms;
  for (;;) {
    const found = app.windows().find((page) => pattern.test(page.url()));
    if (found) return found;
    if (Date.now() > until) throw new Error(`no window at ${pattern} in ${ms} ms; windows: ${app.windows().map((p) => p.url()).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** The `persona serve` child of the Electron main process (Linux: /proc). */
const serverChild = (electronPid: number): number => {
  const out = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(electronPid)], { encoding: 'utf8' }).stdout;
  const line = out.split('\n').find((l) => /bin\/persona\.js serve/.test(l));
  return line ? Number(line.trim().split(/\s+/)[0]) : 0;
};

describe.skipIf(!DIST)(`the desktop app in Electron (${DIST ? `from ${DIST}` : SKIP_REASON})`, () => {
  beforeAll(async () => {
    expect(existsSync(path.join(DIST!, EXECUTABLE)), `${DIST}/${EXECUTABLE}`).toBe(true);
    expect(spawnSync(process.execPath, [path.join(root, 'app/desktop/launch.mjs'), '--bundle-only'], { cwd: root }).status).toBe(0);
    const home = mkdtempSync(path.join(os.tmpdir(), 'persona-desktop-e2e-'));
    app = await _electron.launch({
      executablePath: path.join(DIST!, EXECUTABLE),
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), path.join(root, 'app/desktop/dist/main.cjs'), '--ozone-platform=x11'],
      cwd: root,
      env: {
        ...(process.env as Record<string, string>),
        DISPLAY: await display(),
        PERSONA_NODE: process.execPath,
        // Fresh settings and data: nothing remembered from a user's own runs.
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        PERSONA_DATA_DIR: path.join(home, 'data'),
      },
      timeout: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    xvfb?.kill();
  });

  it('shows the loading view, then today’s UI once the server is healthy', async () => {
    const main = await windowAt(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await main.waitForFunction(() => document.getElementById('character')?.textContent === 'Aria', null, { timeout: 20_000 });
    serverPid = serverChild(app.process().pid!);
    expect(serverPid).toBeGreaterThan(0);
  });

  it('the character window: frameless, transparent, on top, out of the taskbar, on every workspace, sandboxed', async () => {
    const page = await windowAt(/\/character\?token=/);
    await page.waitForFunction(() => (window as unknown as { personaCharacter: { framesShown: number } }).personaCharacter.framesShown > 3, null, { timeout: 20_000 });
    const windows = (await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w: any) => ({
        url: w.webContents.getURL(),
        onTop: w.isAlwaysOnTop(),
        allWorkspaces: w.isVisibleOnAllWorkspaces(),
        prefs: w.webContents.getLastWebPreferences(),
      })),
    )) as { url: string; onTop: boolean; allWorkspaces: boolean; prefs: Record<string, unknown> }[];
    const character = windows.find((w) => w.url.includes('/character'))!;
    expect(character.onTop).toBe(true);
    expect(character.allWorkspaces).toBe(true);
    for (const w of windows) expect(w.prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    // The page sees the bridge and nothing of Node.
    expect(await page.evaluate(() => ({ require: typeof (window as any).require, process: typeof (window as any).process, bridge: Object.keys((window as any).personaDesktop ?? {}).sort() }))).toEqual({
      require: 'undefined',
      process: 'undefined',
      bridge: ['dragEnd', 'dragMove', 'dragStart', 'onHitTest', 'openMenu'],
    });
  });

  it('a page cannot take its window off the local server', async () => {
    const page = await windowAt(/\/character\?token=/);
    const before = page.url();
    await page.evaluate(() => void (location.href = 'https://example.com/')).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(page.url()).toBe(before);
  });

  it('the chat bubble in the character window: "wave" makes her wave', async () => {
    const page = await windowAt(/\/character\?token=/);
    // A click on her chest: a third of the way down her opaque pixels, in the middle of that row.
    const point = await page.evaluate(() => {
      const c = (window as any).personaCharacter;
      const w = innerWidth, h = innerHeight;
      const rows: number[] = [];
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x += 2) if (c.alphaAt(x, y) === 255) (rows.push(y), (x = w));
      const y = rows[Math.floor(rows.length / 3)]!;
      const xs: number[] = [];
      for (let x = 0; x < w; x++) if (c.alphaAt(x, y) === 255) xs.push(x);
      return { x: xs[Math.floor(xs.length / 2)]!, y };
    });
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('#bubble', { state: 'visible', timeout: 3000 });
    await page.fill('#bubble-input', 'wave');
    await page.press('#bubble-input', 'Enter');
    await page.waitForFunction(() => document.body.dataset.action === 'wave', null, { timeout: 3000 });
  });

  it('quitting stops the server: no process left behind', async () => {
    expect(isAlive(serverPid)).toBe(true);
    await app.close();
    const until = Date.now() + 10_000;
    while (isAlive(serverPid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(serverPid)).toBe(false);
  });
});
