/**
 * The one seeded generator (mulberry32): a float in [0, 1) per call, the same sequence for the same
 * seed on every machine. Replays, idle timing, diffusion noise, review-set shuffles, the fuzzer and
 * the generated test models all depend on its exact sequence, so it lives once, here.
 */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
