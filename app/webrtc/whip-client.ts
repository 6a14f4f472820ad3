/**
 * A WHIP client: pushes the persona's video, and its voice (Opus) when given an audio feed, as one
 * stream to a WHIP ingest (LiveKit, Janus, OBS's WHIP input, Cloudflare Stream), with a bearer
 * token, and keeps it up — a failed POST or a dropped connection is retried with exponential
 * backoff (1 s doubling to 30 s, reset once connected). A live ingest sends RTCP (receiver
 * reports, congestion feedback: ~20 packets a second from libwebrtc) and answers ICE consent
 * checks; when nothing at all arrives for `silenceTimeoutMs`, the ingest is gone and we reconnect,
 * instead of waiting for ICE consent to expire (~18 s).
 */
import type { TrackFeed } from './whep.js';
import { waitForCandidates } from './ice.js';
import { wrtc } from './wrtc.js';

export interface WhipOptions {
  /** The ingest's WHIP endpoint URL. */
  url: string;
  /** Bearer token, if the ingest wants one. */
  token?: string;
  /** First retry delay and the cap, ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long an attempt may take to reach ICE connected, ms. */
  connectTimeoutMs?: number;
  /** Reconnect when no packet at all has come from the ingest for this long, ms (default 6000: above the ~5 s between ICE consent checks). */
  silenceTimeoutMs?: number;
  /** Told of every state change, for logs and the UI. */
  onStatus?: (status: WhipStatus) => void;
}

export interface WhipStatus {
  state: 'connecting' | 'connected' | 'retrying' | 'stopped';
  attempt: number;
  /** Why the last attempt failed, when retrying. */
  reason?: string;
  /** Delay before the next attempt, when retrying. */
  retryInMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class WhipPusher {
  private pc: RTCPeerConnection | null = null;
  private resource: string | null = null;
  private stopped = false;
  private attempt = 0;
  private wake: (() => void) | null = null;
  status: WhipStatus = { state: 'connecting', attempt: 0 };

  constructor(
    private readonly feed: TrackFeed,
    private readonly options: WhipOptions,
    /** The voice's track (an AudioFeed), sent beside the video in the same stream. */
    private readonly audio: TrackFeed | null = null,
  ) {}

  /** Starts pushing in the background; connection problems are retried, never thrown. */
  start(): void {
    void this.run();
  }

  private report(status: WhipStatus): void {
    this.status = status;
    this.options.onStatus?.(status);
  }

  private headers(type?: string): Record<string, string> {
    return { ...(type ? { 'content-type': type } : {}), ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) };
  }

  private async run(): Promise<void> {
    const min = this.options.minBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 30_000;
    let backoff = min;
    while (!this.stopped) {
      this.attempt++;
      this.report({ state: 'connecting', attempt: this.attempt });
      try {
        await this.connect();
        backoff = min;
        this.report({ state: 'connected', attempt: this.attempt });
        const reason = await this.untilDisconnected();
        if (this.stopped) break;
        throw new Error(reason);
      } catch (error) {
        await this.teardown();
        if (this.stopped) break;
        this.report({ state: 'retrying', attempt: this.attempt, reason: (error as Error).message, retryInMs: backoff });
        await Promise.race([sleep(backoff), new Promise<void>((r) => (this.wake = r))]);
        backoff = Math.min(max, backoff * 2);
      }
    }
    this.report({ state: 'stopped', attempt: this.attempt });
  }

  private async connect(): Promise<void> {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    this.feed.users++;
    // One stream (one msid) for both tracks, so the ingest and its viewers keep them in sync.
    const stream = new wrtc.MediaStream();
    pc.addTransceiver(this.feed.track, { direction: 'sendonly', streams: [stream] });
    if (this.audio) {
      this.audio.users++;
      pc.addTransceiver(this.audio.track, { direction: 'sendonly', streams: [stream] });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await waitForCandidates(pc);
    const response = await fetch(this.options.url, { method: 'POST', headers: this.headers('application/sdp'), body: pc.localDescription!.sdp });
    if (response.status !== 201) throw new Error(`${this.options.url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const location = response.headers.get('location');
    this.resource = location ? new URL(location, this.options.url).toString() : null;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const deadline = Date.now() + (this.options.connectTimeoutMs ?? 10_000);
    while (pc.connectionState !== 'connected') {
      if (pc.connectionState === 'failed' || Date.now() > deadline) throw new Error(`ICE did not connect (${pc.connectionState})`);
      await sleep(20);
    }
  }

  /** Resolves, with why, when the connection fails or the ingest falls silent (or on stop()). */
  private untilDisconnected(): Promise<string> {
    const pc = this.pc!;
    const silenceMs = this.options.silenceTimeoutMs ?? 6000;
    return new Promise((resolve) => {
      let packets = -1;
      let lastHeard = Date.now();
      const finish = (reason: string) => {
        clearInterval(poll);
        pc.removeEventListener('connectionstatechange', check);
        resolve(reason);
      };
      const check = () => {
        if (this.stopped || ['failed', 'closed', 'disconnected'].includes(pc.connectionState)) finish(`connection ${pc.connectionState}`);
      };
      const poll = setInterval(() => {
        pc.getStats().then(
          (report) => {
            let received = 0;
            report.forEach((s: Record<string, unknown>) => {
              if (s.type === 'transport') received += Number(s.packetsReceived ?? 0);
            });
            if (received !== packets) {
              packets = received;
              lastHeard = Date.now();
            } else if (Date.now() - lastHeard > silenceMs) finish(`nothing heard from the ingest for ${silenceMs} ms`);
          },
          (error: Error) => finish(`could not read the connection's stats: ${error.message}`),
        );
      }, 1000);
      pc.addEventListener('connectionstatechange', check);
      this.wake = () => finish('stopped');
      check();
    });
  }

  private async teardown(): Promise<void> {
    const { pc, resource } = this;
    this.pc = null;
    this.resource = null;
    if (pc) {
      this.feed.users--;
      if (this.audio) this.audio.users--;
      pc.close();
    }
    // Tell the ingest we left; if it is unreachable there is nothing more to free, so just say so.
    if (resource) {
      await fetch(resource, { method: 'DELETE', headers: this.headers() }).catch((error: Error) =>
        console.warn(`whip: could not DELETE ${resource}: ${error.message}`),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.teardown();
  }
}
