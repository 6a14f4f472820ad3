/** The audio chunks of one utterance as an async iterable: the voices push, one consumer reads. */
import type { AudioChunk } from '../protocol/voice.js';

/** A one-consumer async queue that can end (return) or fail (throw) and drops what is pushed after. */
export class ChunkQueue implements AsyncIterable<AudioChunk> {
  private readonly items: AudioChunk[] = [];
  private waiting: { resolve: (r: IteratorResult<AudioChunk>) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  private error: Error | null = null;

  push(chunk: AudioChunk): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: chunk, done: false });
    } else this.items.push(chunk);
  }

  end(drop: boolean, error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    if (drop) this.items.length = 0;
    if (error) this.error = error;
    if (this.waiting) {
      const { resolve, reject } = this.waiting;
      this.waiting = null;
      if (error) reject(error);
      else resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.ended) return this.error ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
      },
      return: () => {
        this.end(true);
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
