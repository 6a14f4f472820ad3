/**
 * electron-api.ts declares by hand the part of Electron's API the desktop app uses (so the project type-checks
 * without the optional Electron). Where the desktop addition is installed, its electron.d.ts is the truth:
 * each real Electron object must fit the shape the app declares for it.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { additionDir } from '../../../protocol/additions.js';

const root = path.resolve(import.meta.dirname, '../../..');
const DTS = path.join(additionDir('desktop'), 'node_modules/electron/electron.d.ts');
const API = path.join(root, 'app/desktop/electron-api.js');

const CHECK = `
import type * as E from 'electron';
import type { BrowserWindow, WebContents, ElectronMain, ElectronPreload, Display, IpcMainEvent, BrowserWindowOptions, MenuItemOptions } from ${JSON.stringify(API)};
const electron = null as unknown as typeof import('electron');
const win = null as unknown as E.BrowserWindow;
export const browserWindow: BrowserWindow = win;
export const webContents: WebContents = win.webContents;
export const display: Display = null as unknown as E.Display;
export const ipcEvent: IpcMainEvent = null as unknown as E.IpcMainEvent;
// What the app passes in must be what Electron takes.
export const windowOptions: E.BrowserWindowConstructorOptions = null as unknown as BrowserWindowOptions;
export const menuItem: E.MenuItemConstructorOptions = null as unknown as MenuItemOptions;
export const app: ElectronMain['app'] = electron.app;
export const screen: ElectronMain['screen'] = electron.screen;
export const ipcMain: ElectronMain['ipcMain'] = electron.ipcMain;
export const session: ElectronMain['session'] = electron.session;
export const shell: ElectronMain['shell'] = electron.shell;
export const nativeImage: ElectronMain['nativeImage'] = electron.nativeImage;
export const menu: ElectronMain['Menu'] = electron.Menu;
export const trayInstance: InstanceType<ElectronMain['Tray']> = null as unknown as E.Tray;
export const windowInstance: InstanceType<ElectronMain['BrowserWindow']> = win;
export const windowArguments: ConstructorParameters<typeof E.BrowserWindow> = null as unknown as ConstructorParameters<ElectronMain['BrowserWindow']>;
export const preload: ElectronPreload = { contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer };
`;

describe.skipIf(!existsSync(DTS))(`electron-api.ts against Electron's own types${existsSync(DTS) ? '' : ' (skipped: `npx persona add desktop` installs them)'}`, () => {
  it('every Electron object the app uses fits the shape it declares', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'electron-api-check-'));
    writeFileSync(path.join(dir, 'check.ts'), CHECK);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(root, 'tsconfig.json'),
        compilerOptions: { paths: { electron: [DTS] }, typeRoots: [path.join(root, 'node_modules/@types')] },
        include: ['check.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir], { encoding: 'utf8', timeout: 120_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);
});
