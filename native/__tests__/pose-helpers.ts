/** Builds conditioning vectors for the native tests: a body pose, expression weights, hand shapes. */
export { poseConditioning } from '../pose-conditioning.js';

/** A deterministic pseudo-random generator (mulberry32), so a failing pose can be reproduced. */
export const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
