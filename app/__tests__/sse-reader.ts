/** Reads a Server-Sent Events response in tests: each event as { event, data } with its data parsed as JSON. */
export interface SseEvent {
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the test asserts on its fields
}

export class SseReader {
  readonly events: SseEvent[] = [];
  /** Comment lines seen (heartbeats, the greeting). */
  readonly comments: string[] = [];
  ended = false;
  private readonly done: Promise<void>;

  constructor(response: Response) {
    this.done = this.pump(response.body!);
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) this.events.push({ event, data: JSON.parse(data.join('\n')) });
        }
      }
    } catch {
      // aborted by the test
    }
    this.ended = true;
  }

  /** The first event from index `from` on that matches, or a rejection after `ms`. */
  async waitFor(match: (e: SseEvent) => boolean, ms = 3000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline || this.ended) throw new Error(`no matching event within ${ms} ms${this.ended ? ' (the stream ended)' : ''}; got: ${this.events.map((e) => e.event).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves when the stream has ended. */
  finished(): Promise<void> {
    return this.done;
  }
}
