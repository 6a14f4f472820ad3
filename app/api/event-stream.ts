/**
 * GET /api/events: one session's replies, engine events and state as Server-Sent Events. Each event
 * is the WebSocket's JSON-able message (protocol/wire.ts) under its own type as the event name. A
 * bounded number of listeners per session; one that stops reading is closed when its backlog passes
 * a limit, so it never holds more memory than that nor slows anyone else; heartbeats keep proxies
 * and dead peers honest; the server's close ends every stream.
 */
import type http from 'node:http';
import type { ServerMessage } from '../../protocol/wire.js';
import type { ServedSession } from '../served-session.js';
import { SSE_HEADERS, sseFrame } from './http.js';

/** Event-stream listeners one session takes at once; more get 503 with a reason. */
export const MAX_EVENT_CLIENTS = 16;
/** A comment line this often: proxies keep the stream, and a peer that is gone shows up as a write error. */
export const EVENT_HEARTBEAT_MS = 15_000;
/** Bytes waiting for a listener that does not read, beyond which it is closed. */
const MAX_EVENT_BACKLOG = 1024 * 1024;

/** The messages an event stream carries (frames, audio and the profiler feed stay on the WebSocket). */
const STREAMED = new Set<ServerMessage['type']>(['state', 'event', 'reply', 'reply.chunk', 'directive', 'notice']);

export class SessionEvents {
  private readonly listeners = new Set<http.ServerResponse>();
  private readonly off: (() => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly served: ServedSession) {
    const { session } = served;
    this.off.push(session.onEvent((event) => this.broadcast({ type: 'event', event })));
    this.off.push(session.onState((state) => this.broadcast({ type: 'state', state })));
    const onChat = (message: ServerMessage) => STREAMED.has(message.type) && this.broadcast(message);
    served.chatListeners.add(onChat);
    this.off.push(() => served.chatListeners.delete(onChat));
    this.heartbeat = setInterval(() => {
      for (const res of this.listeners) this.write(res, `: heartbeat ${Date.now()}\n\n`);
    }, EVENT_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get count(): number {
    return this.listeners.size;
  }

  /** Starts a stream on `res`: the state now, then everything as it happens. False when the session is full. */
  open(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (this.listeners.size >= MAX_EVENT_CLIENTS) return false;
    res.writeHead(200, SSE_HEADERS);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    res.socket?.setNoDelay(true);
    this.listeners.add(res);
    const gone = () => this.listeners.delete(res);
    res.on('close', gone);
    req.on('close', gone);
    res.write(`retry: 2000\n: ${this.served.name}\n\n`);
    this.write(res, sseFrame('state', { type: 'state', state: this.served.session.state() }));
    return true;
  }

  private broadcast(message: ServerMessage): void {
    if (this.listeners.size === 0) return;
    const frame = sseFrame(message.type, message);
    for (const res of this.listeners) this.write(res, frame);
  }

  private write(res: http.ServerResponse, text: string): void {
    if (res.writableLength > MAX_EVENT_BACKLOG) {
      this.listeners.delete(res);
      console.warn(`event stream closed (session ${this.served.name}): not reading, over ${MAX_EVENT_BACKLOG / 1024} KiB waiting`);
      res.destroy();
      return;
    }
    res.write(text);
  }

  /** Ends every stream with a last `bye` event (the server is closing), and stops listening to the session. */
  close(reason = 'the server is shutting down'): void {
    clearInterval(this.heartbeat);
    for (const off of this.off) off();
    for (const res of this.listeners) res.end(sseFrame('bye', { type: 'bye', reason }));
    this.listeners.clear();
  }
}
