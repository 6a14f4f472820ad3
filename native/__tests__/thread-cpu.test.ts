/** The JS thread's CPU clock (native/binding/thread_cpu.cc) counts work, not waiting. */
import { describe, expect, it } from 'vitest';
import { threadCpuMs } from '../index.js';

describe('threadCpuMs', () => {
  it('advances while this thread computes and stands nearly still while it sleeps', async () => {
    const sleepStart = threadCpuMs();
    await new Promise((r) => setTimeout(r, 100));
    const slept = threadCpuMs() - sleepStart;
    const busyStart = threadCpuMs();
    const wallStart = performance.now();
    let x = 0;
    while (performance.now() - wallStart < 100) x += Math.sqrt(x + 1);
    const busy = threadCpuMs() - busyStart;
    expect(x).toBeGreaterThan(0);
    expect(slept).toBeLessThan(20);
    expect(busy).toBeGreaterThan(slept + 20);
  });
});
