/** The browser UI: stage, chat and status, talking to the server over one msgpackr WebSocket. */
import { decodeMessage, encodeMessage, type ServerMessage } from '../protocol/wire.js';
import { PersonaStage } from './stage.js';
import { ProfilerOverlay } from './profiler-overlay.js';
import { ChatStream } from './chat-stream.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = byId<HTMLUListElement>('chat-log');
const input = byId<HTMLInputElement>('chat-input');
const connection = byId<HTMLDivElement>('connection');

const addLine = (who: string, text: string) => {
  const li = document.createElement('li');
  li.className = who;
  li.textContent = text;
  li.dataset.at = String(Date.now()); // when it appeared: lets tests and users see reply latency
  li.title = new Date().toLocaleTimeString();
  log.appendChild(li);
  log.scrollTop = log.scrollHeight;
  return li;
};
const chat = new ChatStream(addLine, byId('provider'));

/** Shows the chart's active state per region ("activity → gesturing.keyframe") and the queue. */
const showChart = (paths: string[], queue: string[]) => {
  const list = byId<HTMLDListElement>('chart-states');
  list.replaceChildren(
    ...paths.flatMap((path) => {
      const [region, ...rest] = path.split('.');
      const dt = document.createElement('dt');
      dt.textContent = region!;
      const dd = document.createElement('dd');
      dd.textContent = rest.join('.');
      dd.dataset.region = region;
      return [dt, dd];
    }),
  );
  byId('chart-queue').querySelector('span')!.textContent = queue.length ? queue.join(' → ') : 'empty';
};

const stage = new PersonaStage();
(window as unknown as { personaStage: PersonaStage }).personaStage = stage;

let overlay: ProfilerOverlay | null = null;

const connect = async () => {
  await stage.init(byId('stage'), 512, 512);
  overlay = new ProfilerOverlay(stage.width);
  stage.addOverlay(overlay.view);
  (window as unknown as { profilerOverlay: ProfilerOverlay }).profilerOverlay = overlay;
  // ?session=NAME picks one of the server's sessions (the first without it); ?token=T its bearer token.
  const page = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const key of ['session', 'token']) if (page.get(key)) query.set(key, page.get(key)!);
  if (query.size) byId<HTMLAnchorElement>('trace-download').href += `&${query}`;
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${query.size ? `?${query}` : ''}`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => (connection.textContent = 'connected');
  ws.onclose = () => {
    connection.textContent = 'disconnected — retrying…';
    setTimeout(() => location.reload(), 2000);
  };
  ws.onmessage = (event) => {
    const message = decodeMessage(new Uint8Array(event.data as ArrayBuffer)) as ServerMessage;
    switch (message.type) {
      case 'frame':
        stage.show(message.rgba, message.width, message.height);
        ws.send(encodeMessage({ type: 'ack', seq: message.seq }));
        break;
      case 'welcome':
        byId('character').textContent = message.name;
        break;
      case 'state':
        byId('action').textContent = message.state.action;
        byId('expression').textContent =
          message.state.expression === 'neutral' ? 'neutral' : `${message.state.expression} ${Math.round(message.state.intensity * 100)}%`;
        byId('posture').textContent = message.state.posture;
        byId('facing').textContent = message.state.facing;
        showChart(message.state.chart, message.state.queue);
        break;
      case 'reply':
        chat.reply(message.text, message.provider);
        break;
      case 'reply.chunk':
        chat.chunk(message.text);
        break;
      case 'directive':
        chat.directive(message.directive, message.speculative);
        break;
      case 'notice':
        chat.notice(message.level, message.text);
        break;
      case 'error':
        addLine('error', message.reason);
        break;
      case 'profile':
        overlay?.update(message);
        stage.redraw();
        break;
      case 'event':
        if (message.event.type === 'action.refused') chat.refused(message.event.action, message.event.reason);
        break;
    }
  };
  const toggleProfiler = () => {
    if (!overlay || ws.readyState !== WebSocket.OPEN) return;
    overlay.visible = !overlay.visible;
    byId('profiler-toggle').setAttribute('aria-pressed', String(overlay.visible));
    ws.send(encodeMessage({ type: 'profile', enabled: overlay.visible }));
    stage.redraw();
  };
  byId('profiler-toggle').addEventListener('click', toggleProfiler);
  window.addEventListener('keydown', (event) => {
    if (event.key === 'F3') {
      event.preventDefault();
      toggleProfiler();
    }
  });
  byId<HTMLFormElement>('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || ws.readyState !== WebSocket.OPEN) return;
    addLine('user', text);
    ws.send(encodeMessage({ type: 'chat', text }));
    input.value = '';
  });
};

connect().catch((error: Error) => {
  connection.textContent = `could not start: ${error.message}`;
  console.error(error);
});
