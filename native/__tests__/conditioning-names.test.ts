/**
 * The conditioning vector's channels are matched between TypeScript and C++ by name, not only by
 * count: each enum in native/core/conditioning.h must list the same names, in the same order, as its
 * list in protocol/ (a channel added on one side only, or two swapped, fails here).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPRESSION_CHANNELS, HAND_CHANNELS, MOUTH_SHAPE_CHANNELS } from '../../protocol/conditioning.js';
import { JOINTS } from '../../protocol/skeleton.js';

const header = readFileSync(new URL('../core/conditioning.h', import.meta.url), 'utf8');

/** The enumerators of `enum <name> : int { … }`, without the trailing count. */
const enumerators = (name: string): string[] => {
  const body = new RegExp(`enum ${name} : int \\{([^}]*)\\}`).exec(header)?.[1];
  if (!body) throw new Error(`enum ${name} not found in conditioning.h`);
  return body
    .replace(/\/\/.*$/gm, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && !/Count$|PerHand$/.test(s));
};

/** 'left_shoulder' → 'kLeftShoulder', 'blinkLeft' → 'kBlinkLeft'. */
const cppName = (name: string) => `k${name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`;

describe('conditioning names agree between protocol/ and native/', () => {
  it('expression channels', () => {
    const visemes = new Set<string>(MOUTH_SHAPE_CHANNELS);
    expect(enumerators('ExpressionChannel')).toEqual(EXPRESSION_CHANNELS.map((c) => (visemes.has(c) ? `kViseme${c[0]!.toUpperCase()}${c.slice(1)}` : cppName(c))));
  });

  it('joints', () => {
    expect(enumerators('Joint')).toEqual(JOINTS.map(cppName));
  });

  it('hand channels', () => {
    expect(enumerators('HandChannel')).toEqual(HAND_CHANNELS.map((c) => `kHand${c[0]!.toUpperCase()}${c.slice(1)}`));
  });
});
