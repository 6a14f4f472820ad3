/**
 * The few-step LCM / turbo schedule the diffusion source runs, as the published formulas (diffusers'
 * LCMScheduler and DDPM "scaled_linear" betas of Stable Diffusion 1.5/2.1), in plain arithmetic.
 */
import { mulberry32 } from '../protocol/random.js';

export interface ScheduleSettings {
  /** Training timesteps (1000 for SD). */
  trainSteps?: number;
  betaStart?: number;
  betaEnd?: number;
  /** LCM's original (distillation) schedule length: 50. */
  originSteps?: number;
}

/** ᾱ_t = Π (1 − β_i), β from "scaled_linear": linspace(√β_start, √β_end, T)². */
export const alphasCumprod = ({ trainSteps = 1000, betaStart = 0.00085, betaEnd = 0.012 }: ScheduleSettings = {}): Float64Array => {
  const out = new Float64Array(trainSteps);
  const a = Math.sqrt(betaStart);
  const b = Math.sqrt(betaEnd);
  let product = 1;
  for (let i = 0; i < trainSteps; i++) {
    const root = trainSteps === 1 ? a : a + ((b - a) * i) / (trainSteps - 1);
    product *= 1 - root * root;
    out[i] = product;
  }
  return out;
};

/**
 * The timesteps of an img2img LCM run: LCM's origin schedule (every T/originSteps-th step, ending at
 * T−1), cut to its first `strength` share as img2img does, sampled from the noisiest at `steps` evenly spaced indices.
 */
export const lcmTimesteps = (steps: number, strength: number, { trainSteps = 1000, originSteps = 50 }: ScheduleSettings = {}): number[] => {
  const stride = Math.floor(trainSteps / originSteps);
  const kept = Math.max(1, Math.floor(originSteps * strength));
  const origin = Array.from({ length: kept }, (_, i) => (i + 1) * stride - 1).reverse();
  // diffusers: inference_indices = floor(linspace(0, len(origin), steps, endpoint=False))
  return Array.from({ length: Math.min(steps, origin.length) }, (_, i) => origin[Math.floor((i * origin.length) / steps)]!);
};

/** LCM's boundary-condition scalings for timestep t (σ_data 0.5, timestep scaling 10). */
export const lcmScalings = (t: number, sigmaData = 0.5, timestepScaling = 10): { cSkip: number; cOut: number } => {
  const scaled = t * timestepScaling;
  return { cSkip: (sigmaData * sigmaData) / (scaled * scaled + sigmaData * sigmaData), cOut: scaled / Math.sqrt(scaled * scaled + sigmaData * sigmaData) };
};

/** x_t = √ᾱ_t · x0 + √(1−ᾱ_t) · ε, into `out`. */
export const addNoise = (x0: Float32Array, noise: Float32Array, alphaBar: number, out: Float32Array): Float32Array => {
  const a = Math.sqrt(alphaBar);
  const s = Math.sqrt(1 - alphaBar);
  for (let i = 0; i < out.length; i++) out[i] = a * x0[i]! + s * noise[i]!;
  return out;
};

/**
 * One LCM step for an ε-predicting model: x0 = (x_t − √(1−ᾱ_t)·ε)/√ᾱ_t, denoised = c_out·x0 + c_skip·x_t.
 * Writes `denoised` into `out`; the caller renoises it to the next timestep (with the session's fixed noise).
 */
export const lcmDenoise = (sample: Float32Array, epsilon: Float32Array, t: number, alphaBar: number, out: Float32Array): Float32Array => {
  const { cSkip, cOut } = lcmScalings(t);
  const a = Math.sqrt(alphaBar);
  const s = Math.sqrt(1 - alphaBar);
  for (let i = 0; i < out.length; i++) {
    const x0 = (sample[i]! - s * epsilon[i]!) / a;
    out[i] = cOut * x0 + cSkip * sample[i]!;
  }
  return out;
};

/** Gaussian noise from a seed (mulberry32 + Box–Muller): the same seed gives the same noise on every machine. */
export const seededNoise = (seed: number, length: number): Float32Array => {
  const next = mulberry32(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
};
