/**
 * The preload of every desktop window (sandboxed, context-isolated): the only bridge between a page and
 * the app. It gives pages `window.personaDesktop` (protocol/desktop.ts: drag, menu, the hit test) and
 * nothing else — no Node, no raw ipcRenderer — and writes the server's status into the loading view.
 * Bundled to dist/preload.cjs (a sandboxed preload is one CommonJS file that may require only 'electron').
 */
import { DESKTOP_CHANNELS, type DesktopBridge, type HitTestRequest } from '../../protocol/desktop.js';
import type { ElectronPreload } from './electron-api.js';

const { contextBridge, ipcRenderer } = require('electron') as ElectronPreload;

let answer: ((x: number, y: number) => boolean) | null = null;
ipcRenderer.on(DESKTOP_CHANNELS.hitTest, (_event, request) => {
  const { id, x, y } = request as HitTestRequest;
  // No hit test registered yet (the page is loading): no answer, and the app keeps taking clicks meanwhile.
  if (!answer) return;
  let hit = false;
  try {
    hit = answer(x, y) === true;
  } catch {
    hit = false;
  }
  ipcRenderer.send(DESKTOP_CHANNELS.hitTestResult, { id, hit });
});

ipcRenderer.on(DESKTOP_CHANNELS.status, (_event, text) => {
  const line = document.getElementById('status');
  if (line) line.textContent = String(text).slice(0, 500);
});

const bridge: DesktopBridge = {
  dragStart: () => ipcRenderer.send(DESKTOP_CHANNELS.dragStart),
  dragMove: () => ipcRenderer.send(DESKTOP_CHANNELS.dragMove),
  dragEnd: () => ipcRenderer.send(DESKTOP_CHANNELS.dragEnd),
  openMenu: () => ipcRenderer.send(DESKTOP_CHANNELS.menu),
  onHitTest: (fn) => {
    if (typeof fn === 'function') answer = fn;
  },
};
contextBridge.exposeInMainWorld('personaDesktop', bridge);
