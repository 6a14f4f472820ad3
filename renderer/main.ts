/** The browser UI: stage, chat and status, talking to the server over one msgpackr WebSocket. */
import './zod-jitless.js'; // first: before protocol/wire.ts builds its schemas
import { decodeMessage, encodeMessage, type ServerMessage } from '../protocol/wire.js';
import { PersonaStage } from './stage.js';
import { ProfilerOverlay } from './profiler-overlay.js';
import { ChatStream } from './chat-stream.js';
import { MAX_CHAT_CHARS, plainError } from './plain-errors.js';
import { checkServer, fetchHistory, type Reachability } from './server-api.js';
import { VoicePlayer } from './voice-player.js';
import { mountSourcePanel } from './source-panel.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = byId<HTMLUListElement>('chat-log');
const input = byId<HTMLInputElement>('chat-input');
const form = byId<HTMLFormElement>('chat-form');
const limitNote = byId<HTMLParagraphElement>('chat-limit');
const connection = byId<HTMLSpanElement>('connection');

/** The log follows the newest line unless the reader scrolled up to read older ones. */
let following = true;
log.addEventListener('scroll', () => (following = log.scrollHeight - log.scrollTop - log.clientHeight < 40));
const follow = () => {
  if (following) log.scrollTop = log.scrollHeight;
};
// Lines are added, replies stream into their bubble and the window is resized: each keeps the newest in view.
new MutationObserver(follow).observe(log, { childList: true, subtree: true, characterData: true });
new ResizeObserver(follow).observe(log);

const addLine = (who: string, text: string) => {
  const li = document.createElement('li');
  li.className = who;
  li.textContent = text;
  li.dataset.at = String(Date.now()); // when it appeared: lets tests and users see reply latency
  li.title = new Date().toLocaleTimeString();
  log.appendChild(li);
  return li;
};
const chat = new ChatStream(addLine, byId('provider'));
const voice = new VoicePlayer(byId<HTMLButtonElement>('sound-toggle'));
// Exposed for the browser tests, which listen for her voice in the page.
(window as unknown as { personaVoice: VoicePlayer }).personaVoice = voice;

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
// Open on a tall window; on a short one the chat needs the room.
byId<HTMLDetailsElement>('chart').open = window.innerHeight >= 900;

/** The input takes what the server accepts (ClientMessageSchema) and says so near the limit. */
input.maxLength = MAX_CHAT_CHARS;
const LIMIT_WORDS = `Messages can be up to ${MAX_CHAT_CHARS.toLocaleString('en-US')} characters`;
const showLimit = () => {
  const left = MAX_CHAT_CHARS - input.value.length;
  limitNote.hidden = left > 200;
  limitNote.textContent = left <= 0 ? `${LIMIT_WORDS}; the rest was left out.` : `${LIMIT_WORDS}: ${left} left.`;
};
input.addEventListener('input', showLimit);

/** The server was started with --token and this address has none, or not its token: say so and stop. */
const showTokenNeeded = () => {
  const hadToken = new URLSearchParams(location.search).has('token');
  if (hadToken) byId('token-needed-title').textContent = 'This server needs its token: the one in this address is not it';
  byId('token-needed').hidden = false;
  connection.textContent = 'needs a token';
};

const stage = new PersonaStage();
(window as unknown as { personaStage: PersonaStage }).personaStage = stage;

let overlay: ProfilerOverlay | null = null;

/** After the socket closed: wait for the server to answer again, then reload; stop if it wants a token. */
const waitForServer = async (query: URLSearchParams, why: string) => {
  for (let waitMs = 1000; ; waitMs = Math.min(waitMs * 2, 10_000)) {
    connection.textContent = `${why} — retrying in ${Math.round(waitMs / 1000)} s…`;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    const status: Reachability = await checkServer(query);
    if (status === 'needs-token') return showTokenNeeded();
    if (status === 'ok') return location.reload();
  }
};

const connect = async () => {
  await stage.init(byId('stage'), 512, 512);
  overlay = new ProfilerOverlay(stage.width, byId('profiler-panel'));
  stage.addOverlay(overlay.view);
  (window as unknown as { profilerOverlay: ProfilerOverlay }).profilerOverlay = overlay;
  // ?session=NAME picks one of the server's sessions (the first without it); ?token=T its bearer token.
  const page = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const key of ['session', 'token']) if (page.get(key)) query.set(key, page.get(key)!);
  if (query.size) byId<HTMLAnchorElement>('trace-download').href += `&${query}`;
  mountSourcePanel(query);

  // The conversation so far, before the greeting the socket sends: a reload or a second tab continues it.
  const history = await fetchHistory(query);
  if (history.status === 'needs-token') return showTokenNeeded();
  if (history.messages.length) {
    addLine('earlier', 'Earlier');
    for (const m of history.messages) addLine(m.role === 'user' ? 'user history' : 'persona history', m.content);
  }

  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${query.size ? `?${query}` : ''}`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => (connection.textContent = 'connected');
  ws.onclose = (event) => {
    // 1008/1013: the server closed us on purpose (a flood, a full session) and said why.
    const why = event.reason ? `closed by the server: ${event.reason}` : 'disconnected';
    void waitForServer(query, why);
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
        if (!message.voice.on) {
          voice.unavailable(message.voice.reason);
          if (!/off/.test(message.voice.reason)) chat.notice('info', `${message.voice.reason}: her replies are text only.`);
        }
        break;
      case 'audio':
        voice.play(message.pcm, message.sampleRate, message.startsInMs);
        break;
      case 'audio.stop':
        voice.stop();
        break;
      case 'state':
        byId('action').textContent = message.state.action;
        byId('expression').textContent =
          message.state.expression === 'neutral' ? 'neutral' : `${message.state.expression} ${Math.round(message.state.intensity * 100)}%`;
        byId('posture').textContent = message.state.posture;
        byId('facing').textContent = message.state.facing;
        showChart(message.state.chart, message.state.queue);
        break;
      case 'chat.echo':
        chat.echo(message.text, message.via);
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
        addLine('error', plainError(message.reason)).title = message.reason;
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
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || ws.readyState !== WebSocket.OPEN) return;
    if (text.length > MAX_CHAT_CHARS) {
      // Only a script gets past maxlength; it still gets the kind words instead of the server's refusal.
      limitNote.hidden = false;
      limitNote.textContent = `${LIMIT_WORDS}; this one has ${text.length.toLocaleString('en-US')}. Shorten it and send again.`;
      return;
    }
    following = true;
    voice.unmute(); // sending a line is the user's gesture the browser needs before it plays sound
    addLine('user', text);
    ws.send(encodeMessage({ type: 'chat', text }));
    input.value = '';
    showLimit();
  });
  // "Things to say": each line sends itself.
  for (const button of byId('suggestions').querySelectorAll('button')) {
    button.addEventListener('click', () => {
      input.value = button.textContent ?? '';
      form.requestSubmit();
    });
  }
};

connect().catch((error: Error) => {
  connection.textContent = `could not start: ${error.message}`;
  console.error(error);
});
