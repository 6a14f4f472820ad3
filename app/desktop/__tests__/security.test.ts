/**
 * The desktop app's rules for what pages may do: where windows may go, who may send IPC and with what,
 * which window mode this desktop gets, and what a broken settings file becomes.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DESKTOP_CHANNELS } from '../../../protocol/desktop.js';
import { navigationAllowed, newWindowAction, parseIpcArguments, refuseSender, secureWebPreferences } from '../security.js';
import { chooseWindowMode } from '../window-mode.js';
import { DEFAULT_SETTINGS, loadSettings, parseSettings, saveSettings } from '../settings.js';

const SERVER = 'http://127.0.0.1:41234';
const LOADING = 'file:///opt/persona/app/desktop/loading.html';

describe('navigation and new windows', () => {
  it('windows stay on the local server (or the app’s loading view)', () => {
    expect(navigationAllowed(`${SERVER}/character?token=x`, SERVER, LOADING)).toBe(true);
    expect(navigationAllowed(`${SERVER}/`, SERVER, LOADING)).toBe(true);
    expect(navigationAllowed(`${LOADING}?status=1`, SERVER, LOADING)).toBe(true);
    for (const elsewhere of [
      'http://127.0.0.1:41235/', // another port: another program
      'http://localhost:41234/', // another origin for the browser, so another origin here
      'https://127.0.0.1:41234/',
      'https://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'not a url',
    ])
      expect(navigationAllowed(elsewhere, SERVER, LOADING), elsewhere).toBe(false);
    // Before the server is up, only the loading view.
    expect(navigationAllowed(`${SERVER}/`, null, LOADING)).toBe(false);
  });

  it('no page opens an app window; an http(s) link elsewhere goes to the user’s browser', () => {
    expect(newWindowAction('https://github.com/some/where', SERVER)).toBe('open-in-browser');
    expect(newWindowAction(`${SERVER}/viewer`, SERVER)).toBe('deny');
    expect(newWindowAction('file:///etc/passwd', SERVER)).toBe('deny');
    expect(newWindowAction('javascript:alert(1)', SERVER)).toBe('deny');
  });

  it('every window: sandboxed, context-isolated, no Node', () => {
    const prefs = secureWebPreferences('/x/preload.cjs');
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  });
});

describe('IPC senders and arguments', () => {
  const page = { webContentsId: 7, frameUrl: `${SERVER}/character?token=t`, isMainFrame: true };

  it('accepts the character window’s own top frame on the local server, and nothing else', () => {
    expect(refuseSender(page, 7, SERVER)).toBeNull();
    expect(refuseSender({ ...page, webContentsId: 3 }, 7, SERVER)).toMatch(/not the character window/);
    expect(refuseSender(page, undefined, SERVER)).toMatch(/not the character window/);
    expect(refuseSender({ ...page, isMainFrame: false }, 7, SERVER)).toMatch(/subframe/);
    expect(refuseSender({ ...page, frameUrl: 'https://evil.example/' }, 7, SERVER)).toMatch(/not a page of the local server/);
  });

  it('checks each channel’s arguments', () => {
    expect(parseIpcArguments(DESKTOP_CHANNELS.dragMove, [])).toEqual({ ok: true });
    expect(parseIpcArguments(DESKTOP_CHANNELS.dragMove, [{ x: 1 }])).toMatchObject({ ok: false, reason: /takes no arguments/ });
    expect(parseIpcArguments(DESKTOP_CHANNELS.hitTestResult, [{ id: 4, hit: true }])).toEqual({ ok: true, answer: { id: 4, hit: true } });
    for (const bad of [[], [null], [{ id: 4 }], [{ id: -1, hit: true }], [{ id: 1.5, hit: false }], [{ id: 1, hit: 'yes' }], [{ id: 1, hit: true, extra: 1 }], [{ id: 1, hit: true }, 2]])
      expect(parseIpcArguments(DESKTOP_CHANNELS.hitTestResult, bad).ok, JSON.stringify(bad)).toBe(false);
    expect(parseIpcArguments('persona:shell-exec', ['rm -rf /'])).toMatchObject({ ok: false, reason: /no channel/ });
  });
});

describe('window mode', () => {
  const x11 = { DISPLAY: ':0', XDG_SESSION_TYPE: 'x11' };
  it('transparent on Windows, macOS and X11', () => {
    expect(chooseWindowMode({ platform: 'win32', env: {}, argv: [] })).toEqual({ transparent: true });
    expect(chooseWindowMode({ platform: 'darwin', env: {}, argv: [] })).toEqual({ transparent: true });
    expect(chooseWindowMode({ platform: 'linux', env: x11, argv: [] })).toEqual({ transparent: true });
  });

  it('opaque on Wayland, unless forced onto X11 (XWayland), and says how to get the transparent one', () => {
    const wayland = { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0', XDG_SESSION_TYPE: 'wayland' };
    expect(chooseWindowMode({ platform: 'linux', env: wayland, argv: [] })).toMatchObject({ transparent: false, reason: /Wayland.*--ozone-platform=x11/ });
    expect(chooseWindowMode({ platform: 'linux', env: wayland, argv: ['--ozone-platform=x11'] })).toEqual({ transparent: true });
    expect(chooseWindowMode({ platform: 'linux', env: { ...wayland, ELECTRON_OZONE_PLATFORM_HINT: 'x11' }, argv: [] })).toEqual({ transparent: true });
  });

  it('opaque when asked (tray or environment) and without a display', () => {
    expect(chooseWindowMode({ platform: 'win32', env: {}, argv: [], preferOpaque: true })).toMatchObject({ transparent: false, reason: /tray/ });
    expect(chooseWindowMode({ platform: 'linux', env: { ...x11, PERSONA_DESKTOP_OPAQUE: '1' }, argv: [] })).toMatchObject({ transparent: false, reason: /PERSONA_DESKTOP_OPAQUE/ });
    expect(chooseWindowMode({ platform: 'linux', env: {}, argv: [] })).toMatchObject({ transparent: false, reason: /no X display/ });
  });
});

describe('settings file', () => {
  it('round-trips through a file written whole', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'persona-desktop-')), 'sub', 'desktop.json');
    expect(loadSettings(file)).toEqual({ settings: DEFAULT_SETTINGS }); // first run: no file, no complaint
    const settings = { placement: { lastDisplay: '2', byDisplay: { '2': { dx: 10, dy: 20 } } }, character: 'kai', opaque: true };
    saveSettings(file, settings);
    expect(loadSettings(file)).toEqual({ settings });
    writeFileSync(file, '{"placement": {"byDisplay": {"1": {"dx": "far", "dy": 0}}}}');
    expect(loadSettings(file).problem).toMatch(/^placement\.byDisplay\.1\.dx: .*; starting from defaults$/);
    expect(readFileSync(file, 'utf8')).toContain('far'); // read, never rewritten behind the user's back
  });

  it('a broken, oversized or hostile file becomes the defaults with a reason', () => {
    expect(parseSettings('{not json').problem).toMatch(/not JSON/);
    expect(parseSettings('x'.repeat(100_000)).problem).toMatch(/larger than 64 KiB/);
    expect(parseSettings('{"character": "../../etc"}').problem).toMatch(/^character: /);
    expect(parseSettings('{"opaque": true, "extra": 1}').problem).toMatch(/extra/);
    expect(parseSettings('{"placement": {"byDisplay": {"1": {"dx": 1e300, "dy": 0}}}}').problem).toMatch(/dx/);
    expect(parseSettings('{}')).toEqual({ settings: DEFAULT_SETTINGS });
  });
});
