/**
 * A critically damped spring step (the SmoothDamp form from Game Programming Gems 4): it eases
 * toward a moving target without overshoot and keeps velocity continuous when the target jumps,
 * so retargeting mid-motion never pops. `maxSpeed` caps how fast it may go (units per second),
 * so even a far target (a turn asked for twice) is reached at a believable pace.
 */
export const springStep = (
  current: number,
  target: number,
  velocity: number,
  smoothSeconds: number,
  dt: number,
  maxSpeed = Infinity,
): [number, number] => {
  const smooth = Math.max(1e-4, smoothSeconds);
  const omega = 2 / smooth;
  const x = omega * dt;
  const decay = 1 / (1 + x + 0.48 * x * x + 0.235 * x * x * x);
  const maxChange = maxSpeed * smooth;
  const change = Math.max(-maxChange, Math.min(maxChange, current - target));
  const clampedTarget = current - change;
  const temp = (velocity + omega * change) * dt;
  let nextVelocity = (velocity - omega * temp) * decay;
  let next = clampedTarget + (change + temp) * decay;
  // Never step past the real target.
  if (target - current > 0 === next > target) {
    next = target;
    nextVelocity = (next - target) / dt;
  }
  return [next, nextVelocity];
};
