/**
 * A WHEP endpoint (RFC 9725 style) for viewers: POST an SDP offer to /whep (the default session)
 * or /whep/<session>; get 201 with the SDP answer and a Location for the viewer's resource;
 * DELETE it to leave; PATCH it with trickle-ICE fragments. The answer carries all our candidates
 * (we gather before answering), so clients that do not trickle work too.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { waitForCandidates } from './ice.js';
import { HeapTrimmer } from './heap-trim.js';
import { wrtc } from './wrtc.js';
/** What the endpoint streams: one video track, and a count of who uses it (so frames are made only when watched). */
export interface TrackFeed {
  readonly track: MediaStreamTrack;
  users: number;
}

/** Largest SDP offer or trickle fragment accepted, bytes. */
const MAX_SDP_BYTES = 64 * 1024;
/** How long we wait for our ICE candidates before answering anyway, ms. */
const GATHER_TIMEOUT_MS = 2000;

export interface ViewerStats {
  id: string;
  state: string;
  bitrateKbps: number;
  fps: number;
  rttMs: number | null;
  packetsLost: number;
  framesEncoded: number;
}

interface Viewer {
  id: string;
  pc: RTCPeerConnection;
  createdAt: number;
  lastBytes: number;
  lastStatsAt: number;
  stats: ViewerStats;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SDP_BYTES) {
        reject(new HttpError(413, `body too large: more than ${MAX_SDP_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export class WhepEndpoint {
  private readonly viewers = new Map<string, Viewer>();
  private readonly heap = new HeapTrimmer();

  constructor(
    private readonly feed: TrackFeed,
    /** Sessions this server streams; the default one is reachable at bare /whep. */
    private readonly sessionName: string,
    private readonly maxViewers: number,
    /** The voice's track, once there is a voice (TTS): added beside the video for every viewer. */
    private readonly audio: TrackFeed | null = null,
  ) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Handles /whep[/<session>[/<viewer>]]; returns false for paths that are not ours. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
    const parts = pathname.split('/').filter(Boolean); // ['whep', session?, viewer?]
    if (parts[0] !== 'whep' || parts.length > 3) return false;
    try {
      const session = parts[1] ?? this.sessionName;
      if (session !== this.sessionName) throw new HttpError(404, `unknown session "${session}"; this server streams "${this.sessionName}"`);
      if (parts.length <= 2) {
        if (req.method !== 'POST') throw new HttpError(405, `use POST with an SDP offer on ${pathname}`);
        await this.offer(req, res, session);
        return true;
      }
      const viewer = this.viewers.get(parts[2]!);
      if (!viewer) throw new HttpError(404, `unknown viewer "${parts[2]}"`);
      if (req.method === 'DELETE') {
        this.close(viewer.id);
        res.writeHead(200).end();
      } else if (req.method === 'PATCH') {
        await this.trickle(req, viewer);
        res.writeHead(204).end();
      } else throw new HttpError(405, `use DELETE or PATCH on a viewer resource`);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end((error as Error).message);
    }
    return true;
  }

  private async offer(req: http.IncomingMessage, res: http.ServerResponse, session: string): Promise<void> {
    if (!/^application\/sdp\b/.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, `content-type must be application/sdp, got "${req.headers['content-type'] ?? ''}"`);
    }
    const sdp = await readBody(req);
    if (!sdp.startsWith('v=0')) throw new HttpError(400, 'malformed SDP: an offer starts with "v=0"');
    if (!/^m=video /m.test(sdp)) throw new HttpError(400, 'malformed SDP: the offer has no video m-line to receive on');
    if (this.viewers.size >= this.maxViewers) throw new HttpError(503, `viewer limit reached (${this.maxViewers}); try again later`);

    const id = randomUUID();
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    const viewer: Viewer = {
      id,
      pc,
      createdAt: Date.now(),
      lastBytes: 0,
      lastStatsAt: performance.now(),
      stats: { id, state: 'new', bitrateKbps: 0, fps: 0, rttMs: null, packetsLost: 0, framesEncoded: 0 },
    };
    this.viewers.set(id, viewer);
    this.feed.users++;
    pc.addEventListener('connectionstatechange', () => {
      viewer.stats.state = pc.connectionState;
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.close(id);
    });
    try {
      pc.addTrack(this.feed.track);
      if (this.audio) {
        pc.addTrack(this.audio.track);
        this.audio.users++;
      }
      await pc.setRemoteDescription({ type: 'offer', sdp }).catch((error: Error) => {
        throw new HttpError(400, `malformed SDP: ${error.message}`);
      });
      await pc.setLocalDescription(await pc.createAnswer());
      await waitForCandidates(pc, GATHER_TIMEOUT_MS);
    } catch (error) {
      this.close(id);
      throw error;
    }
    res.writeHead(201, {
      'content-type': 'application/sdp',
      location: `/whep/${session}/${id}`,
      'access-control-expose-headers': 'Location',
    });
    res.end(pc.localDescription!.sdp);
  }

  private async trickle(req: http.IncomingMessage, viewer: Viewer): Promise<void> {
    if (!/^application\/trickle-ice-sdpfrag\b/.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'content-type must be application/trickle-ice-sdpfrag');
    }
    const fragment = await readBody(req);
    const mid = /^a=mid:(.+)$/m.exec(fragment)?.[1]?.trim() ?? '0';
    for (const line of fragment.split(/\r?\n/)) {
      if (!line.startsWith('a=candidate:')) continue;
      await viewer.pc.addIceCandidate({ candidate: line.slice(2), sdpMid: mid }).catch((error: Error) => {
        throw new HttpError(400, `bad ICE candidate "${line}": ${error.message}`);
      });
    }
  }

  close(id: string): void {
    const viewer = this.viewers.get(id);
    if (!viewer) return;
    this.viewers.delete(id);
    this.feed.users--;
    if (this.audio) this.audio.users--;
    viewer.pc.close();
    this.heap.departed();
  }

  closeAll(): void {
    for (const id of [...this.viewers.keys()]) this.close(id);
    this.heap.stop();
  }

  /** Per-viewer bitrate, frame rate, round-trip time and packet loss, from each connection's stats. */
  async stats(): Promise<ViewerStats[]> {
    const now = performance.now();
    for (const viewer of this.viewers.values()) {
      const report = await viewer.pc.getStats();
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          const bytes = Number(s.bytesSent ?? 0);
          const seconds = (now - viewer.lastStatsAt) / 1000;
          viewer.stats.bitrateKbps = seconds > 0 ? Math.round(((bytes - viewer.lastBytes) * 8) / seconds / 1000) : 0;
          viewer.lastBytes = bytes;
          viewer.stats.fps = Number(s.framesPerSecond ?? 0);
          viewer.stats.framesEncoded = Number(s.framesEncoded ?? 0);
        }
        if (s.type === 'remote-inbound-rtp' && s.kind === 'video') {
          viewer.stats.rttMs = s.roundTripTime === undefined ? null : Math.round(Number(s.roundTripTime) * 1000 * 10) / 10;
          viewer.stats.packetsLost = Number(s.packetsLost ?? 0);
        }
      });
      viewer.lastStatsAt = now;
    }
    return [...this.viewers.values()].map((v) => ({ ...v.stats }));
  }
}
