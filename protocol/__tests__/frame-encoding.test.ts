import { describe, expect, it } from 'vitest';
import { encodeFrameInto, frameMessageSize } from '../frame-encoding.js';
import { decodeMessage, encodeMessage, type FrameMessage } from '../wire.js';

describe('hand-written frame messages', () => {
  const rgba = new Uint8Array(64 * 32 * 4).map((_, i) => (i * 7) % 251);

  it('decode exactly like packed ones, reusing the caller buffer', () => {
    const target = new Uint8Array(frameMessageSize(64, 32) + 100);
    const written = encodeFrameInto(target, 123_456, 64, 32, rgba);
    expect(written.buffer).toBe(target.buffer); // no new allocation
    const mine = decodeMessage(written) as FrameMessage;
    const packed = decodeMessage(encodeMessage({ type: 'frame', seq: 123_456, width: 64, height: 32, rgba })) as FrameMessage;
    expect({ ...mine, rgba: Array.from(mine.rgba) }).toEqual({ ...packed, rgba: Array.from(packed.rgba) });
    expect(mine).toMatchObject({ type: 'frame', seq: 123_456, width: 64, height: 32 });
  });

  it('says how many bytes it needs when the buffer is too small', () => {
    expect(() => encodeFrameInto(new Uint8Array(100), 1, 64, 32, rgba)).toThrow(/target holds 100 bytes, the frame needs \d+/);
  });
});
