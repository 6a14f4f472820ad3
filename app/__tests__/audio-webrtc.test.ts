/**
 * The voice over real WebRTC, received by libwebrtc in Node: a WHEP viewer that asks for audio
 * gets an Opus track in the same stream as the video and hears the tone pushed into the session's
 * AudioFeed; a video-only viewer costs the voice nothing; the WHIP pusher sends both tracks as one
 * stream to an ingest.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.js';
import type { AudioFeed } from '../webrtc/audio-feed.js';
import { WhipPusher } from '../webrtc/whip-client.js';
import { wrtc } from '../webrtc/wrtc.js';

interface AudioSink {
  ondata: (data: { samples: Int16Array; sampleRate: number; channelCount: number }) => void;
  stop(): void;
}
const AudioSink = (wrtc.nonstandard as unknown as { RTCAudioSink: new (track: MediaStreamTrack) => AudioSink }).RTCAudioSink;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tone = (hz: number, seconds: number, rate = 22_050) =>
  Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(0.5 * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)));

/** Collects what a received audio track plays (first channel), with its RMS and pitch from zero crossings. */
const hear = (track: MediaStreamTrack) => {
  const sink = new AudioSink(track);
  const samples: number[] = [];
  let rate = 0;
  sink.ondata = (data) => {
    rate = data.sampleRate;
    for (let i = 0; i < data.samples.length; i += data.channelCount) samples.push(data.samples[i]! / 32768);
  };
  return {
    sink,
    samples,
    get rate() {
      return rate;
    },
    /** RMS and zero-crossing pitch over the last `ms`. */
    last(ms: number) {
      const window = samples.slice(-Math.round((rate * ms) / 1000));
      let crossings = 0;
      for (let i = 1; i < window.length; i++) if (window[i - 1]! < 0 !== window[i]! < 0) crossings++;
      const rms = Math.sqrt(window.reduce((s, v) => s + v * v, 0) / Math.max(1, window.length));
      return { rms, hz: crossings / 2 / (window.length / rate) };
    },
  };
};

const waitFor = async (done: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(20);
};

const msids = (sdp: string) => [...sdp.matchAll(/^a=msid:(\S+) \S+$/gm)].map((m) => m[1]);

let server: RunningServer;
let audio: AudioFeed;
beforeAll(async () => {
  server = await startServer({ port: 0, width: 256, height: 256 });
  audio = server.sessions.get('default')!.audio;
});
afterAll(async () => {
  await server?.close();
});

describe('the voice over WebRTC', () => {
  it('WHEP: a viewer that asks for audio gets Opus in the same stream as the video, and hears what is pushed', async () => {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    const tracks: MediaStreamTrack[] = [];
    pc.addEventListener('track', (event: RTCTrackEvent) => tracks.push(event.track));
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`${server.url}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    expect(response.status).toBe(201);
    const answer = await response.text();
    expect(answer).toMatch(/^m=audio /m);
    expect(answer).toMatch(/a=rtpmap:\d+ opus\/48000\/2/);
    const streams = msids(answer);
    expect(streams).toHaveLength(2);
    expect(streams[0]).toBe(streams[1]); // one stream: the browser keeps lips and voice in sync
    expect(audio.users).toBe(1);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await waitFor(() => pc.connectionState === 'connected' && tracks.length === 2, 10_000);
    const ear = hear(tracks.find((t) => t.kind === 'audio')!);
    try {
      await sleep(300);
      expect(ear.last(200).rms, 'silence while nothing is said').toBeLessThan(0.001);
      audio.push(tone(440, 2), 22_050);
      await waitFor(() => ear.last(100).rms > 0.3, 3000);
      await sleep(300);
      const heard = ear.last(250);
      expect(ear.rate).toBe(48_000);
      expect(heard.rms).toBeGreaterThan(0.3); // 0.5 × 1/√2
      expect(heard.rms).toBeLessThan(0.4);
      expect(Math.abs(heard.hz - 440)).toBeLessThan(10);
      audio.clear();
      await sleep(250);
      expect(ear.last(100).rms, 'silent after clear()').toBeLessThan(0.001);
    } finally {
      ear.sink.stop();
    }
    await fetch(`${server.url}${response.headers.get('location')}`, { method: 'DELETE' });
    expect(audio.users).toBe(0);
    pc.close();
  });

  it('WHEP: a video-only offer gets no audio track, and the voice does no work for it', async () => {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`${server.url}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    expect(response.status).toBe(201);
    expect(await response.text()).not.toMatch(/^m=audio /m);
    expect(audio.users).toBe(0);
    await fetch(`${server.url}${response.headers.get('location')}`, { method: 'DELETE' });
    pc.close();
  });

  it('WHIP: pushes the voice beside the video as one stream', async () => {
    let offer = '';
    const peers: RTCPeerConnection[] = [];
    let ear: ReturnType<typeof hear> | null = null;
    const ingest = http.createServer(async (req, res) => {
      if (req.method === 'DELETE') return res.writeHead(200).end();
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      offer = Buffer.concat(chunks).toString();
      const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
      peers.push(pc);
      pc.addEventListener('track', (event: RTCTrackEvent) => {
        if (event.track.kind === 'audio') ear = hear(event.track);
      });
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      await sleep(300);
      res.writeHead(201, { 'content-type': 'application/sdp', location: '/whip/1' }).end(pc.localDescription!.sdp);
    });
    await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(ingest.address() as { port: number }).port}/whip`;
    const pusher = new WhipPusher(server.video, { url }, audio);
    pusher.start();
    try {
      await waitFor(() => pusher.status.state === 'connected' && ear !== null, 10_000);
      expect(audio.users).toBe(1);
      expect(offer).toMatch(/^m=audio /m);
      const streams = msids(offer);
      expect(streams).toHaveLength(2);
      expect(streams[0]).toBe(streams[1]);
      audio.push(tone(660, 1), 22_050);
      await waitFor(() => ear!.last(100).rms > 0.3, 3000);
      await sleep(200);
      expect(Math.abs(ear!.last(250).hz - 660)).toBeLessThan(10);
      audio.clear();
    } finally {
      (ear as ReturnType<typeof hear> | null)?.sink.stop();
      await pusher.stop();
      peers.forEach((p) => p.close());
      await new Promise<void>((resolve) => ingest.close(() => resolve()));
    }
    expect(audio.users).toBe(0);
  });
});
