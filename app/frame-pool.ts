/**
 * Reusable buffers for preview frame messages: a frame is encoded once into a free buffer, sent to
 * every client that takes it, and the buffer returns to the pool when the last send has flushed.
 * No megabyte-per-frame garbage, so no collector pauses stalling the tick.
 */
import { encodeFrameInto, frameMessageSize } from '../protocol/frame-encoding.js';

interface Slot {
  bytes: Uint8Array;
  pending: number;
}

export class FramePool {
  private readonly slots: Slot[] = [];

  /** `max` buffers at most; when all are still being sent, `encode` returns null and the frame is skipped. */
  constructor(private readonly max = 8) {}

  /** Encodes a frame into a free buffer; call `done` once per send you start with it, when that send finishes. */
  encode(seq: number, width: number, height: number, rgba: Uint8Array): { bytes: Uint8Array; retain(): () => void } | null {
    const size = frameMessageSize(width, height);
    let slot = this.slots.find((s) => s.pending === 0 && s.bytes.byteLength >= size);
    if (!slot) {
      if (this.slots.length >= this.max) return null;
      slot = { bytes: new Uint8Array(size), pending: 0 };
      this.slots.push(slot);
    }
    const target = slot;
    const bytes = encodeFrameInto(target.bytes, seq, width, height, rgba);
    return {
      bytes,
      retain: () => {
        target.pending++;
        return () => {
          target.pending--;
        };
      },
    };
  }
}
