/**
 * A critically damped spring step (the SmoothDamp form from Game Programming Gems 4): it eases
 * toward a moving target without overshoot and keeps velocity continuous when the target jumps,
 * so retargeting mid-motion never pops.
 */
export const springStep = (current: number, target: number, velocity: number, smoothSeconds: number, dt: number): [number, number] => {
  const omega = 2 / Math.max(1e-4, smoothSeconds);
  const x = omega * dt;
  const decay = 1 / (1 + x + 0.48 * x * x + 0.235 * x * x * x);
  const change = current - target;
  const temp = (velocity + omega * change) * dt;
  return [target + (change + temp) * decay, (velocity - omega * temp) * decay];
};
