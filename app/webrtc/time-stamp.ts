/**
 * A time stamp drawn into a video frame as pixels, for glass-to-glass latency: 24 black or white
 * 16×16 blocks across the top-left, the low 24 bits of the send time in ms (wall clock, so the
 * browser on the same machine can compare). Big flat blocks survive the codec.
 */
export const STAMP_BITS = 24;
export const STAMP_BLOCK = 16;

/** The wall-clock time in ms that both Node and a browser on this machine agree on. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

export const drawStamp = (rgba: Uint8Array, width: number, ms: number): void => {
  const value = Math.floor(ms) & ((1 << STAMP_BITS) - 1);
  for (let bit = 0; bit < STAMP_BITS; bit++) {
    const on = (value >> (STAMP_BITS - 1 - bit)) & 1 ? 255 : 0;
    for (let y = 0; y < STAMP_BLOCK; y++)
      for (let x = bit * STAMP_BLOCK; x < (bit + 1) * STAMP_BLOCK; x++) {
        const i = (y * width + x) * 4;
        rgba[i] = rgba[i + 1] = rgba[i + 2] = on;
        rgba[i + 3] = 255;
      }
  }
};
