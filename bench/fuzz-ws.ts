/**
 * Runs WebSocket fuzz cases (bench/fuzz-ws-cases.ts) against the server.
 *
 * Most cases share a few long-lived connections ("lanes"), each paced under the server's flood
 * limit (400 messages a second per client). After each binary case a lane sends a text frame, which
 * the server always answers with the same error: everything that arrives between two of those is
 * the case's answer (nothing at all means the message was accepted), and a marker that does not
 * come is a hang. Cases that may end their connection (a burst past the flood limit, a message over
 * the 4 MiB cap, broken framing) each get a connection of their own.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { decodeMessage, encodeMessage } from '../protocol/wire.js';
import { CLOSE_CODE_MEANING, reasonKind, sleep, type FuzzContext } from './fuzz-report.js';
import { caseRng } from './fuzz-rng.js';
import { textSentinelFrame, wsCase, wsCaseKind, type WsCase } from './fuzz-ws-cases.js';

/** The server's answer to any text frame; it ends each case on a lane. */
const MARKER = /expected a binary msgpack frame, got text/;
const MARKER_TEXT = '.';
/** A case with no answer after this long is a hang. Generous: CI shares 2 cores with everything else. */
export const WS_HANG_MS = 10_000;
/** Messages a lane sends a second: under the server's 400, with room for its bursts. */
const LANE_MESSAGES_PER_SECOND = 250;
/** Cases a lane may have sent and not yet seen answered. */
const LANE_WINDOW = 16;

export interface WsStats {
  chatLinesAccepted: number;
  replies: number;
  /** Server messages that arrived on a lane between cases (events, state, frames, profile, replies). */
  background: number;
  /** Errors that arrived when no case was waiting. */
  stray: number;
}

export const newWsStats = (): WsStats => ({ chatLinesAccepted: 0, replies: 0, background: 0, stray: 0 });

interface Pending {
  index: number;
  input: string;
  text: boolean;
  chat: boolean;
  sentAt: number;
  answers: string[];
}

type ServerMessage = { type?: unknown; reason?: unknown; inReplyTo?: unknown };

const decode = (data: Buffer): ServerMessage | null => {
  try {
    const message = decodeMessage(data) as ServerMessage;
    return typeof message === 'object' && message !== null ? message : null;
  } catch {
    return null;
  }
};

const closeKind = (code: number, reason: string) =>
  `close ${code}${reason ? `: ${reasonKind(reason)}` : CLOSE_CODE_MEANING[code] ? ` (${CLOSE_CODE_MEANING[code]}, no text)` : ' (no text)'}`;

/** Records a close as a case's answer: 1011 is the server's own failure; an unknown code with no text gives no reason. */
const answerClose = (ctx: FuzzContext, index: number, input: string, code: number, reason: string) => {
  if (code === 1011) return ctx.fail({ kind: 'server-error', target: 'ws', index, input, what: `closed with 1011 (internal error): ${reason}` });
  if (code === 1006) return ctx.fail({ kind: 'no-reason', target: 'ws', index, input, what: 'the connection dropped without a close frame (1006)' });
  if (!reason) ctx.tally.find(`ws close ${code} with no reason text`, input);
  if (!reason && !CLOSE_CODE_MEANING[code]) return ctx.fail({ kind: 'no-reason', target: 'ws', index, input, what: `closed with ${code} and no reason` });
  ctx.tally.answer('ws', closeKind(code, reason), input);
};

/** Opens a client on /ws, waits for its welcome and asks for no preview frames. */
export const openClient = async (url: string, stopped: () => boolean): Promise<WebSocket> => {
  for (let attempt = 0; ; attempt++) {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { perMessageDeflate: false });
    const outcome = await new Promise<'ok' | string>((resolve) => {
      const timer = setTimeout(() => resolve('no welcome within 10 s'), 10_000);
      ws.on('error', () => undefined);
      ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
      ws.once('close', (code, reason) => resolve(`closed ${code} ${reason.toString()}`));
      ws.on('message', function welcome(data: Buffer) {
        if (decode(data)?.type !== 'welcome') return;
        ws.off('message', welcome);
        clearTimeout(timer);
        resolve('ok');
      });
    });
    if (outcome === 'ok') {
      ws.removeAllListeners('close');
      ws.removeAllListeners('unexpected-response');
      ws.send(encodeMessage({ type: 'hello', wantFrames: false }));
      return ws;
    }
    ws.terminate();
    if (stopped() || attempt >= 20) throw new Error(`cannot open a WebSocket: ${outcome}`);
    await sleep(250);
  }
};

/** A shared, paced connection that runs cases from `queue` until it is empty. */
class Lane {
  private ws: WebSocket | null = null;
  private pending: Pending[] = [];
  private tokens = 50;
  private refilledAt = performance.now();
  private wake: (() => void) | null = null;

  constructor(
    private readonly ctx: FuzzContext,
    private readonly queue: number[],
    private readonly stats: WsStats,
  ) {}

  private onMessage = (data: Buffer) => {
    const message = decode(data);
    if (message?.type === 'error') {
      const reason = message.reason;
      const head = this.pending[0];
      if (typeof reason !== 'string' || reason.trim() === '') {
        if (head) this.ctx.fail({ kind: 'no-reason', target: 'ws', index: head.index, input: head.input, what: `an error message without a reason: ${JSON.stringify(message).slice(0, 200)}` });
        return;
      }
      if (!head) {
        this.stats.stray++;
        return;
      }
      if (MARKER.test(reason)) {
        this.pending.shift();
        this.finish(head, head.text ? [reason] : head.answers);
      } else head.answers.push(reason);
      return;
    }
    if (message?.type === 'reply' && message.inReplyTo !== '') this.stats.replies++;
    this.stats.background++;
  };

  private finish(c: Pending, answers: string[]) {
    this.ctx.inFlight.delete(`ws:${c.index}`);
    if (answers.length === 0) {
      if (c.chat) this.stats.chatLinesAccepted++;
      this.ctx.tally.answer('ws', c.chat ? 'accepted (chat line)' : 'accepted', c.input);
    } else this.ctx.tally.answer('ws', `error: ${reasonKind(answers[0]!)}`, c.input);
    this.wake?.();
  }

  private async connect(): Promise<void> {
    const ws = await openClient(this.ctx.url, this.ctx.stopped);
    ws.on('message', this.onMessage);
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const head = this.pending.shift();
      if (head && !this.ctx.stopped()) {
        this.ctx.inFlight.delete(`ws:${head.index}`);
        answerClose(this.ctx, head.index, head.input, code, reason.toString());
      }
      this.requeue();
      this.wake?.();
    });
    this.ws = ws;
  }

  /** Cases sent but not answered go back to the queue (their connection went, through no fault of theirs). */
  private requeue() {
    for (const c of this.pending.splice(0)) {
      this.ctx.inFlight.delete(`ws:${c.index}`);
      this.queue.push(c.index);
    }
  }

  private async take(cost: number): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(50, this.tokens + ((now - this.refilledAt) / 1000) * LANE_MESSAGES_PER_SECOND);
      this.refilledAt = now;
      if (this.tokens >= cost) {
        this.tokens -= cost;
        return;
      }
      await sleep(Math.ceil(((cost - this.tokens) / LANE_MESSAGES_PER_SECOND) * 1000));
    }
  }

  /** Waits until an answer arrives or `ms` pass. */
  private progress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** A head case unanswered for WS_HANG_MS is a hang: recorded, and the lane starts over on a new connection. */
  private checkHang(): void {
    const head = this.pending[0];
    if (!head || performance.now() - head.sentAt < WS_HANG_MS) return;
    this.pending.shift();
    this.ctx.inFlight.delete(`ws:${head.index}`);
    if (!this.ctx.stopped()) this.ctx.fail({ kind: 'hang', target: 'ws', index: head.index, input: head.input, what: `no answer within ${WS_HANG_MS} ms` });
    const ws = this.ws;
    this.ws = null;
    this.requeue();
    ws?.terminate();
  }

  async run(): Promise<void> {
    while (!this.ctx.stopped()) {
      this.checkHang();
      if (!this.ws) {
        if (this.queue.length === 0 && this.pending.length === 0) break;
        try {
          await this.connect();
        } catch (error) {
          if (this.ctx.stopped()) break;
          throw error;
        }
        continue;
      }
      if (this.pending.length >= LANE_WINDOW || (this.queue.length === 0 && this.pending.length > 0)) {
        await this.progress(200);
        continue;
      }
      const index = this.queue.shift();
      if (index === undefined) break;
      const c = wsCase(caseRng(this.ctx.seed, 'ws', index), index) as Extract<WsCase, { lane: 'shared' }>;
      const text = typeof c.frame === 'string';
      await this.take(text ? 1 : 2);
      const ws = this.ws as WebSocket | null;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        this.queue.unshift(index);
        continue;
      }
      this.pending.push({ index, input: c.input, text, chat: c.chat, sentAt: performance.now(), answers: [] });
      this.ctx.inFlight.set(`ws:${index}`, c.input);
      ws.send(c.frame);
      if (!text) ws.send(MARKER_TEXT);
    }
    this.ws?.close();
  }
}

/** A burst, or a message over the cap, on a connection of its own: answered (every marker came back) or closed with a reason. */
const runOwnCase = async (ctx: FuzzContext, index: number, c: Extract<WsCase, { lane: 'own' }>): Promise<void> => {
  const ws = await openClient(ctx.url, ctx.stopped);
  ctx.inFlight.set(`ws:${index}`, c.input);
  const markersExpected = c.frames.filter((f) => typeof f === 'string').length + 1;
  const outcome = await new Promise<{ closed: { code: number; reason: string } } | { errors: number } | 'hang'>((resolve) => {
    let markers = 0;
    let errors = 0;
    const timer = setTimeout(() => resolve('hang'), WS_HANG_MS);
    ws.on('message', (data: Buffer) => {
      const message = decode(data);
      if (message?.type !== 'error') return;
      if (typeof message.reason === 'string' && MARKER.test(message.reason) && ++markers === markersExpected) {
        clearTimeout(timer);
        resolve({ errors });
      } else errors++;
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ closed: { code, reason: reason.toString() } });
    });
    for (const frame of c.frames) ws.send(frame);
    ws.send(MARKER_TEXT);
  });
  ctx.inFlight.delete(`ws:${index}`);
  ws.terminate();
  if (ctx.stopped()) return;
  if (outcome === 'hang') return ctx.fail({ kind: 'hang', target: 'ws', index, input: c.input, what: `no answer and no close within ${WS_HANG_MS} ms` });
  if ('closed' in outcome) return answerClose(ctx, index, c.input, outcome.closed.code, outcome.closed.reason);
  ctx.tally.answer('ws', `${c.kind} answered (${c.frames.length > 1 ? 'errors and accepts' : outcome.errors ? 'error' : 'accepted'})`, c.input);
};

/** Raw frames after a hand-made handshake: answered (the marker came back), or a close frame with a code. */
const runRawCase = async (ctx: FuzzContext, index: number, c: Extract<WsCase, { lane: 'raw' }>): Promise<void> => {
  const socket = net.connect(ctx.port, '127.0.0.1');
  socket.on('error', () => undefined);
  ctx.inFlight.set(`ws:${index}`, c.input);
  const outcome = await new Promise<{ kind: string } | { close: number; reason: string } | { fail: 'hang' | 'no-reason' | 'server-error'; what: string }>((resolve) => {
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let sent = false;
    const answers: string[] = [];
    const timer = setTimeout(() => resolve({ fail: 'hang', what: `no answer and no close within ${WS_HANG_MS} ms (${upgraded ? 'after the upgrade' : 'during the handshake'})` }), WS_HANG_MS);
    const done = (value: Parameters<typeof resolve>[0]) => {
      clearTimeout(timer);
      resolve(value);
    };
    socket.on('close', () => done(sent ? { fail: 'no-reason', what: 'the server dropped the connection without a close frame' } : { fail: 'no-reason', what: 'closed during the handshake' }));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buffer.toString('latin1', 0, 20))?.[1]);
        if (status !== 101) return done({ fail: status >= 500 ? 'server-error' : 'no-reason', what: `the handshake was answered ${status}` });
        upgraded = true;
        buffer = buffer.subarray(end + 4);
      }
      // Server frames are never masked.
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = buffer[0]! & 0x0f;
        let length = buffer[1]! & 0x7f;
        let at = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          at = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          at = 10;
        }
        if (buffer.length < at + length) return;
        const payload = buffer.subarray(at, at + length);
        buffer = buffer.subarray(at + length);
        if (opcode === 0x8) return done({ close: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString('utf8') });
        if (opcode === 0xa) answers.push('pong');
        if (opcode !== 0x2 || length > 8192) continue; // preview frames are large; the answers we wait for are small
        const message = decode(payload);
        if (message?.type === 'welcome' && !sent) {
          sent = true;
          socket.write(c.bytes);
          socket.write(textSentinelFrame(caseRng(ctx.seed, 'ws-marker', index)));
        } else if (message?.type === 'error' && typeof message.reason === 'string') {
          if (MARKER.test(message.reason)) return done({ kind: answers.length ? `raw frames answered: ${answers[0]}` : 'raw frames accepted' });
          answers.push(`error: ${reasonKind(message.reason)}`);
        }
      }
    });
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${ctx.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from(caseRng(ctx.seed, 'ws-key', index).bytes(16)).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
  ctx.inFlight.delete(`ws:${index}`);
  socket.destroy();
  if (ctx.stopped()) return;
  if ('fail' in outcome) return ctx.fail({ kind: outcome.fail, target: 'ws', index, input: c.input, what: outcome.what });
  if ('close' in outcome) return answerClose(ctx, index, c.input, outcome.close, outcome.reason);
  ctx.tally.answer('ws', outcome.kind, c.input);
};

/** Runs the WebSocket cases `indices` on `lanes` shared connections and `ownWorkers` connections for cases of their own. */
export const runWsCases = async (ctx: FuzzContext, indices: readonly number[], stats: WsStats, { lanes = 8, ownWorkers = 3 } = {}): Promise<void> => {
  const shared: number[] = [];
  const own: number[] = [];
  for (const index of indices) {
    const kind = wsCaseKind(caseRng(ctx.seed, 'ws', index), index);
    (kind === 'huge' || kind === 'burst' || kind === 'raw-frames' ? own : shared).push(index);
  }
  const runOwn = async () => {
    for (let index = own.shift(); index !== undefined && !ctx.stopped(); index = own.shift()) {
      const c = wsCase(caseRng(ctx.seed, 'ws', index), index);
      try {
        if (c.lane === 'raw') await runRawCase(ctx, index, c);
        else if (c.lane === 'own') await runOwnCase(ctx, index, c);
      } catch (error) {
        if (ctx.stopped()) return;
        throw error;
      }
    }
  };
  await Promise.all([
    ...Array.from({ length: Math.min(lanes, Math.max(1, Math.ceil(shared.length / 50))) }, () => new Lane(ctx, shared, stats).run()),
    ...Array.from({ length: ownWorkers }, runOwn),
  ]);
};

/** Runs one case alone (for replay) and says what happened. */
export const describeWsCase = (seed: number, index: number): string => wsCase(caseRng(seed, 'ws', index), index).input;
