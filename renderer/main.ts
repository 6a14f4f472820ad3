/** The browser UI: stage, chat and status, talking to the server over one msgpackr WebSocket. */
import { decodeMessage, encodeMessage, type ServerMessage } from '../protocol/wire.js';
import { PersonaStage } from './stage.js';
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

const stage = new PersonaStage();
(window as unknown as { personaStage: PersonaStage }).personaStage = stage;

const connect = async () => {
  await stage.init(byId('stage'), 512, 512);
  const token = new URLSearchParams(location.search).get('token');
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
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
      case 'event':
        if (message.event.type === 'action.refused') chat.refused(message.event.action, message.event.reason);
        break;
    }
  };
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
