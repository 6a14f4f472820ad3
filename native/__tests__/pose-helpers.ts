/** Builds conditioning vectors for the native tests: a body pose, expression weights, hand shapes. */
export { poseConditioning } from '../pose-conditioning.js';

/** A deterministic pseudo-random generator (mulberry32), so a failing pose can be reproduced. */
export { mulberry32 as seededRandom } from '../../protocol/random.js';
