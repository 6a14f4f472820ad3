/**
 * A time stamp drawn into a video frame as pixels, for glass-to-glass latency: 24 black or white
 * 16×16 blocks across the top-left, the low 24 bits of a wall-clock time in ms (wall clock, so the
 * browser on the same machine can compare). Big flat blocks survive the codec. Drawn into the I420
 * frame on its way to the encoder, so the engine's own buffers are never touched.
 */
export const STAMP_BITS = 24;
export const STAMP_BLOCK = 16;

/** The wall-clock time in ms that both Node and a browser on this machine agree on. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

/** Writes `ms` into an I420 frame (BT.601 limited range: Y 16 black, 235 white; chroma neutral). */
export const drawStampI420 = (i420: Uint8Array, width: number, height: number, ms: number): void => {
  const value = Math.floor(ms) & ((1 << STAMP_BITS) - 1);
  const chroma = width * height;
  const chromaWidth = width / 2;
  for (let bit = 0; bit < STAMP_BITS; bit++) {
    const luma = (value >> (STAMP_BITS - 1 - bit)) & 1 ? 235 : 16;
    const x0 = bit * STAMP_BLOCK;
    for (let y = 0; y < STAMP_BLOCK; y++) i420.fill(luma, y * width + x0, y * width + x0 + STAMP_BLOCK);
    for (let y = 0; y < STAMP_BLOCK / 2; y++) {
      const row = y * chromaWidth + x0 / 2;
      i420.fill(128, chroma + row, chroma + row + STAMP_BLOCK / 2); // U
      i420.fill(128, chroma + chroma / 4 + row, chroma + chroma / 4 + row + STAMP_BLOCK / 2); // V
    }
  }
};
