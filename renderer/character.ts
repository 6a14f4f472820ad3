/**
 * The desktop character page (/character): the persona alone on a transparent page, drawn with the
 * frames' own alpha; a click on her opens a small chat bubble, a drag moves the window (through the
 * desktop shell's bridge, when there is one). It answers "is the character under this point?" for the
 * shell's click-through, which lets every other pixel of the window pass clicks to the desktop.
 */
import './zod-jitless.js'; // first: before protocol/wire.ts builds its schemas
import { decodeMessage, encodeMessage, type ServerMessage } from '../protocol/wire.js';
import type { DesktopBridge } from '../protocol/desktop.js';
import { CharacterView } from './character-view.js';
import { MAX_CHAT_CHARS, plainError } from './plain-errors.js';
import { checkServer } from './server-api.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = byId<HTMLCanvasElement>('character');
const bubble = byId<HTMLDivElement>('bubble');
const reply = byId<HTMLParagraphElement>('bubble-reply');
const form = byId<HTMLFormElement>('bubble-form');
const input = byId<HTMLInputElement>('bubble-input');
const note = byId<HTMLParagraphElement>('note');
const desktop = (window as unknown as { personaDesktop?: DesktopBridge }).personaDesktop;

const view = new CharacterView(canvas);
const page = new URLSearchParams(location.search);
const query = new URLSearchParams();
for (const key of ['session', 'token']) if (page.get(key)) query.set(key, page.get(key)!);

// The shell asks for an opaque window where the desktop cannot show a transparent one, and says why.
if (page.get('mode') === 'opaque') {
  document.body.classList.add('opaque');
  note.textContent = (page.get('note') ?? 'transparent windows are not available here').slice(0, 200);
  note.hidden = false;
}
const showNote = (text: string) => {
  note.textContent = text;
  note.hidden = false;
};

/** The character's pixels, and the bubble while it is open: what takes clicks; everything else lets them through. */
const inside = (element: HTMLElement, x: number, y: number) => {
  if (element.hidden) return false;
  const box = element.getBoundingClientRect();
  return x >= box.left && x < box.right && y >= box.top && y < box.bottom;
};
const hitTest = (x: number, y: number): boolean => inside(bubble, x, y) || view.isCharacterAt(x, y);
desktop?.onHitTest(hitTest);
// For tests and for people poking at the page in devtools.
(window as unknown as { personaCharacter: unknown }).personaCharacter = {
  hitTest,
  alphaAt: (x: number, y: number) => view.alphaAt(x, y),
  get framesShown() {
    return view.framesShown;
  },
};

const openBubble = (open: boolean) => {
  bubble.hidden = !open;
  if (open) input.focus();
};

// A press on her that moves is a drag (the window follows); one that does not is a click (the bubble).
const DRAG_THRESHOLD_PX = 4;
let press: { x: number; y: number; dragging: boolean } | null = null;
canvas.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 || !view.isCharacterAt(event.clientX, event.clientY)) return;
  press = { x: event.clientX, y: event.clientY, dragging: false };
  canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener('pointermove', (event) => {
  if (!press) return;
  if (!press.dragging && Math.hypot(event.clientX - press.x, event.clientY - press.y) >= DRAG_THRESHOLD_PX) {
    press.dragging = true;
    desktop?.dragStart();
  }
  if (press.dragging) desktop?.dragMove();
});
const release = (clicked: boolean) => {
  if (!press) return;
  if (press.dragging) desktop?.dragEnd();
  else if (clicked) openBubble(bubble.hidden);
  press = null;
};
canvas.addEventListener('pointerup', () => release(true));
canvas.addEventListener('pointercancel', () => release(false));
// A right click on her opens the app's menu (the tray's), which also works where the desktop shows no tray icon.
canvas.addEventListener('contextmenu', (event) => {
  event.preventDefault();
  if (view.isCharacterAt(event.clientX, event.clientY)) desktop?.openMenu();
});
window.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') openBubble(false);
});

input.maxLength = MAX_CHAT_CHARS;

/** After the socket closed: wait for the server to answer again (the shell restarts it), then reload. */
const waitForServer = async (why: string) => {
  for (let waitMs = 1000; ; waitMs = Math.min(waitMs * 2, 10_000)) {
    document.body.dataset.connection = why;
    showNote(`${why} — reconnecting…`);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    const status = await checkServer(query);
    if (status === 'needs-token') return showNote('this server needs its token: open the character from the desktop app or add ?token=…');
    if (status === 'ok') return location.reload();
  }
};

const connect = () => {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${query.size ? `?${query}` : ''}`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    document.body.dataset.connection = 'connected';
    ws.send(encodeMessage({ type: 'hello', wantFrames: !document.hidden }));
  };
  ws.onclose = (event) => void waitForServer(event.reason ? `closed by the server: ${event.reason}` : 'disconnected');
  // A hidden character needs no frames: the server stops sending them until she is shown again.
  document.addEventListener('visibilitychange', () => {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage({ type: 'hello', wantFrames: !document.hidden }));
  });
  ws.onmessage = (event) => {
    const message = decodeMessage(new Uint8Array(event.data as ArrayBuffer)) as ServerMessage;
    switch (message.type) {
      case 'frame':
        view.show(message.rgba, message.width, message.height);
        ws.send(encodeMessage({ type: 'ack', seq: message.seq }));
        break;
      case 'welcome':
        document.title = `${message.name} — desktop character`;
        canvas.setAttribute('aria-label', message.name);
        break;
      case 'state':
        document.body.dataset.action = message.state.action;
        document.body.dataset.expression = message.state.expression;
        break;
      case 'chat.echo':
        reply.textContent = ''; // someone else's line (another window, a program): her answer to it follows
        break;
      case 'reply.chunk':
        reply.textContent += message.text;
        break;
      case 'reply':
        reply.textContent = message.text;
        break;
      case 'error':
        reply.textContent = plainError(message.reason);
        break;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim().slice(0, MAX_CHAT_CHARS);
    if (!text || ws.readyState !== WebSocket.OPEN) return;
    reply.textContent = '';
    ws.send(encodeMessage({ type: 'chat', text }));
    input.value = '';
  });
};

connect();
