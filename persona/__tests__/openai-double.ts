/**
 * A stand-in for a remote OpenAI-compatible service: a real HTTP server on loopback that answers
 * POST /v1/chat/completions with server-sent events exactly as the OpenAI streaming protocol sends
 * them (`data: {chat.completion.chunk}` events, then `data: [DONE]`). Each test scripts its replies.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  /** HTTP status; anything but 200 sends `errorBody` as JSON. */
  status?: number;
  errorBody?: unknown;
  /** The model's text, cut into these pieces (one SSE event each). */
  pieces?: readonly string[];
  /** Raw bytes written as they are (for split events and broken data). */
  raw?: readonly string[];
  /** Wait before the headers, and between pieces, ms. */
  delayBeforeMs?: number;
  delayBetweenMs?: number;
  /** Never finish the response (for timeouts). */
  hang?: boolean;
}

export const contentEvent = (content: string, id = 'chatcmpl-1') =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'test', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OpenAiDouble {
  readonly requests: { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  private script: ScriptedReply[] = [];
  private fallback: ScriptedReply = { pieces: ['{"dialogue":"ok"}'] };
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(private readonly server: http.Server) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<OpenAiDouble> {
    let double!: OpenAiDouble;
    const server = http.createServer((req, res) => void double.handle(req, res));
    double = new OpenAiDouble(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return double;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Replies for the next requests, in order; after them every request gets `fallback`. */
  queue(...replies: ScriptedReply[]): this {
    this.script.push(...replies);
    return this;
  }

  answerAlways(reply: ScriptedReply): this {
    this.fallback = reply;
    return this;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    this.requests.push({ headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const reply = this.script.shift() ?? this.fallback;
    if (reply.delayBeforeMs) await sleep(reply.delayBeforeMs);
    if (reply.status && reply.status !== 200) {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.errorBody ?? { error: { message: 'error' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const writes = reply.raw ?? [...(reply.pieces ?? []).map((p) => contentEvent(p)), 'data: [DONE]\n\n'];
    for (const w of writes) {
      if (res.destroyed) return;
      res.write(w);
      if (reply.delayBetweenMs) await sleep(reply.delayBetweenMs);
    }
    if (!reply.hang) res.end();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
