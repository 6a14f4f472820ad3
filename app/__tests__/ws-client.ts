/** A test WebSocket client speaking the app's msgpackr protocol; collects messages by type. */
import WebSocket from 'ws';
import { decodeMessage, encodeMessage, type ClientMessage, type ServerMessage } from '../../protocol/wire.js';

export class TestClient {
  readonly messages: ServerMessage[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const message = decodeMessage(data) as ServerMessage;
      this.messages.push(message);
      if (message.type === 'frame') this.send({ type: 'ack', seq: message.seq });
    });
  }

  static connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('error', reject);
    });
  }

  send(message: ClientMessage): void {
    this.ws.send(encodeMessage(message));
  }

  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  /** Resolves with the first message after index `from` that matches, or rejects after `ms`. */
  async waitFor<T extends ServerMessage['type']>(type: T, match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, ms = 3000, from = 0) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.slice(from).find((m) => m.type === type && match(m as Extract<ServerMessage, { type: T }>));
      if (found) return found as Extract<ServerMessage, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no "${type}" message within ${ms} ms; got: ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.ws.close();
  }
}
