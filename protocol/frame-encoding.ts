/**
 * Preview frames written as msgpack by hand into a buffer the caller reuses: the same bytes
 * `encodeMessage` would give for a FrameMessage (any msgpack decoder reads it), without allocating
 * and garbage-collecting a megabyte per frame.
 */
const KEYS = ['type', 'seq', 'width', 'height', 'rgba'] as const;
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** The fixed part before the pixels: a 5-entry map, keys as fixstr, values typed for their ranges. */
const header = (seq: number, width: number, height: number, bytes: number): number[] => {
  const str = (s: string) => [0xa0 | s.length, ...ascii(s)];
  const u32 = (v: number) => [0xce, (v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const u16 = (v: number) => [0xcd, (v >>> 8) & 255, v & 255];
  return [
    0x85,
    ...str(KEYS[0]), ...str('frame'),
    ...str(KEYS[1]), ...u32(seq >>> 0),
    ...str(KEYS[2]), ...u16(width),
    ...str(KEYS[3]), ...u16(height),
    ...str(KEYS[4]), 0xc6, (bytes >>> 24) & 255, (bytes >>> 16) & 255, (bytes >>> 8) & 255, bytes & 255,
  ];
};

/** Bytes a frame message of this size takes. */
export const frameMessageSize = (width: number, height: number): number => header(0, width, height, 0).length + width * height * 4;

/** Writes a frame message into `target` (at least frameMessageSize bytes); returns the written part. */
export const encodeFrameInto = (target: Uint8Array, seq: number, width: number, height: number, rgba: Uint8Array): Uint8Array => {
  const head = header(seq, width, height, rgba.byteLength);
  const size = head.length + rgba.byteLength;
  if (target.byteLength < size) throw new RangeError(`encodeFrameInto: target holds ${target.byteLength} bytes, the frame needs ${size}`);
  target.set(head, 0);
  target.set(rgba, head.length);
  return target.subarray(0, size);
};
