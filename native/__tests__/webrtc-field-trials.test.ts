/** Field trials set inside @roamhq/wrtc's libwebrtc through its symbol table (native/binding/webrtc_field_trials.cc). */
import { afterAll, describe, expect, it } from 'vitest';
import { fieldTrials, LOW_LATENCY_FIELD_TRIALS, useFieldTrials } from '../../app/webrtc/wrtc.js';
import { setWebrtcFieldTrials } from '../index.js';

describe('libwebrtc field trials', () => {
  afterAll(() => {
    useFieldTrials(LOW_LATENCY_FIELD_TRIALS);
  });

  it('are set when wrtc loads: video is sent with a zero playout delay and a faster pacer', () => {
    expect(fieldTrials()).toBe('WebRTC-ForceSendPlayoutDelay/min_ms:0,max_ms:0/WebRTC-Video-Pacing/factor:5/WebRTC-BurstyPacer/burst:20ms/');
  });

  it('can be replaced, and libwebrtc then holds the new string', () => {
    expect(setWebrtcFieldTrials('WebRTC-Video-Pacing/factor:2/')).toBe('WebRTC-Video-Pacing/factor:2/');
    expect(setWebrtcFieldTrials('')).toBe('');
  });

  it('say what is wrong when the module is not loaded', () => {
    expect(() => setWebrtcFieldTrials('x/y/', 'no-such-module.node')).toThrow(/no loaded module ends with "no-such-module.node": load @roamhq\/wrtc first/);
  });
});
