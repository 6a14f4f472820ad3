import { describe, expect, it } from 'vitest';
import { FramePool } from '../frame-pool.js';

describe('frame pool', () => {
  const rgba = new Uint8Array(16 * 16 * 4);

  it('reuses a buffer once every send of it has finished, and skips frames when all are busy', () => {
    const pool = new FramePool(2);
    const a = pool.encode(1, 16, 16, rgba)!;
    const doneA = a.retain();
    const b = pool.encode(2, 16, 16, rgba)!;
    const doneB1 = b.retain();
    const doneB2 = b.retain();
    expect(b.bytes.buffer).not.toBe(a.bytes.buffer);
    expect(pool.encode(3, 16, 16, rgba)).toBeNull(); // both still sending
    doneA();
    const c = pool.encode(4, 16, 16, rgba)!;
    expect(c.bytes.buffer).toBe(a.bytes.buffer);
    doneB1();
    // b still has a send in flight; c was encoded but never sent, so its buffer is free again.
    expect(pool.encode(5, 16, 16, rgba)!.bytes.buffer).toBe(a.bytes.buffer);
    doneB2();
    const d = pool.encode(6, 16, 16, rgba)!;
    d.retain();
    expect(pool.encode(7, 16, 16, rgba)!.bytes.buffer).toBe(b.bytes.buffer);
  });
});
