/**
 * A WHEP endpoint (RFC 9725 style) for viewers: POST an SDP offer to /whep (the default session)
 * or /whep/<session>; get 201 with the SDP answer and a Location for the viewer's resource;
 * DELETE it to leave; PATCH it with trickle-ICE fragments. The answer carries all our candidates
 * (we gather before answering), so clients that do not trickle work too.
 *
 * What a client cannot make it hold: more than MAX_TRICKLED_CANDIDATES trickled candidates per
 * viewer (429), malformed ones (400), a slot for an offer that never connects (freed after
 * VIEWER_CONNECT_TIMEOUT_MS), a body over MAX_SDP_BYTES (413).
 *
 * A viewer may also POST its display's refresh and recent frames' slack as JSON to
 * <resource>/display (at most one report per MIN_REPORT_GAP_MS): the first one to do so paces the
 * session's ticks to its refresh (display-pacer.ts).
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { isIP } from 'node:net';
import { ApiError, readJson, sendJson } from '../api/http.js';
import { displayReportSchema, type DisplayPacer } from './display-pacer.js';
import { waitForCandidates } from './ice.js';
import { HeapTrimmer } from './heap-trim.js';
import { wrtc } from './wrtc.js';
/** What the endpoint streams: a track (video, or the voice's audio), and a count of who uses it (so frames are made only when watched). */
export interface TrackFeed {
  readonly track: MediaStreamTrack;
  users: number;
}

/** Largest SDP offer or trickle fragment accepted, bytes. */
const MAX_SDP_BYTES = 64 * 1024;
/** How much of an oversized body we read and drop while its 413 goes out, bytes; past it the socket is closed. */
const MAX_DRAIN_BYTES = 1024 * 1024;
/** How long we wait for our ICE candidates before answering anyway, ms. */
const GATHER_TIMEOUT_MS = 2000;
/**
 * Most ICE candidates one viewer may trickle, all its PATCHes together. A browser sends a handful
 * (host, server-reflexive and relay candidates per network); each one makes libwebrtc pair and
 * check it against ours, and a flood of them (1,000) kept the JS thread blocked for seconds on the
 * next getStats() or close.
 */
export const MAX_TRICKLED_CANDIDATES = 50;
/** Longest candidate line accepted, characters (a browser's are about 100–200). */
const MAX_CANDIDATE_LINE = 512;
/**
 * A viewer that has not reached ICE connected this long after its offer was answered is closed, so
 * offers abandoned by their clients do not hold the slots real viewers need, ms.
 */
export const VIEWER_CONNECT_TIMEOUT_MS = 10_000;
/** Display reports closer together than this are refused (429): a viewer reports about once a second, ms. */
export const MIN_REPORT_GAP_MS = 250;

/**
 * One trickled candidate line (RFC 8839 §5.1): foundation, component, transport, priority, address
 * (IPv4, IPv6 or a browser's mDNS .local name: never a name to look up in the DNS), port, type, then
 * the optional attributes.
 */
const CANDIDATE_LINE =
  /^a=candidate:[A-Za-z0-9+/]{1,32} \d{1,3} (?:udp|tcp) \d{1,10} ([0-9A-Fa-f:.]+|[A-Za-z0-9-]{1,63}\.local) (\d{1,5}) typ (?:host|srflx|prflx|relay)(?: [\x21-\x7e]+)*$/i;

/** Why a candidate line is refused, or null when it is well formed. */
const candidateProblem = (line: string): string | null => {
  if (line.length > MAX_CANDIDATE_LINE) return `longer than ${MAX_CANDIDATE_LINE} characters`;
  const match = CANDIDATE_LINE.exec(line);
  if (!match) return 'not of the form "a=candidate:<foundation> <component> udp|tcp <priority> <IP address or .local name> <port> typ host|srflx|prflx|relay ..."';
  const [, address, port] = match;
  if (!address!.endsWith('.local') && isIP(address!) === 0) return `"${address}" is not an IP address`;
  if (Number(port) > 65535) return `port ${port} is out of range`;
  return null;
};

/** The media type of a Content-Type header, lower case, without its parameters. */
const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

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
  /** Receives the voice (its offer asked for audio): counted among the audio feed's users. */
  hearing: boolean;
  createdAt: number;
  /** Closes the viewer if it has not connected in time; cleared once it connects. */
  connectTimer: NodeJS.Timeout | null;
  /** Candidates trickled so far (capped at MAX_TRICKLED_CANDIDATES). */
  candidates: number;
  lastBytes: number;
  lastStatsAt: number;
  /** When its last display report came (performance.now()), or -Infinity. */
  lastReportAt: number;
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
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SDP_BYTES) {
        // Stop keeping the body but read on (up to a limit) instead of destroying the socket at
        // once: a client still sending would get a reset instead of our 413 (Connection: close).
        req.off('data', onData);
        chunks.length = 0;
        let drained = 0;
        req.on('data', (rest: Buffer) => {
          drained += rest.length;
          if (drained > MAX_DRAIN_BYTES) req.destroy();
        });
        reject(new HttpError(413, `body too large: more than ${MAX_SDP_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export class WhepEndpoint {
  private readonly viewers = new Map<string, Viewer>();
  private readonly heap = new HeapTrimmer();
  /**
   * Video and voice go out as tracks of one MediaStream (one msid): a browser synchronizes the
   * audio and video of a stream (lip sync), and plays both from one <video> element.
   */
  private readonly stream = new wrtc.MediaStream();

  constructor(
    private readonly feed: TrackFeed,
    /** Sessions this server streams; the default one is reachable at bare /whep. */
    private readonly sessionName: string,
    private readonly maxViewers: number,
    /** The voice's track: added beside the video for every viewer whose offer has an audio m-line. */
    private readonly audio: TrackFeed | null = null,
    /** How long a viewer may take to reach ICE connected before its slot is freed, ms. */
    private readonly connectTimeoutMs = VIEWER_CONNECT_TIMEOUT_MS,
    /** Paces the session's ticks to a viewer's display; null: reports are answered but move nothing. */
    private readonly pacer: DisplayPacer | null = null,
  ) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Handles /whep[/<session>[/<viewer>]]; returns false for paths that are not ours. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
    const parts = pathname.split('/').filter(Boolean); // ['whep', session?, viewer?, 'display'?]
    if (parts[0] !== 'whep' || parts.length > 4 || (parts.length === 4 && parts[3] !== 'display')) return false;
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
      if (parts.length === 4) {
        if (req.method !== 'POST') throw new HttpError(405, `use POST with a JSON display report on ${pathname}`);
        await this.display(req, res, viewer);
      } else if (req.method === 'DELETE') {
        this.close(viewer.id);
        res.writeHead(200).end();
      } else if (req.method === 'PATCH') {
        await this.trickle(req, viewer);
        res.writeHead(204).end();
      } else throw new HttpError(405, `use DELETE or PATCH on a viewer resource`);
    } catch (error) {
      const status = error instanceof HttpError || error instanceof ApiError ? error.status : 500;
      // After a 413 the rest of the body is not read: the connection cannot carry another request.
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(status === 413 ? { connection: 'close' } : {}), ...(status === 405 ? { allow: parts.length === 3 ? 'DELETE, PATCH' : 'POST' } : {}) });
      res.end((error as Error).message);
    }
    return true;
  }

  private async offer(req: http.IncomingMessage, res: http.ServerResponse, session: string): Promise<void> {
    if (mediaType(req.headers['content-type']) !== 'application/sdp') {
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
      hearing: false,
      createdAt: Date.now(),
      connectTimer: null,
      candidates: 0,
      lastBytes: 0,
      lastStatsAt: performance.now(),
      lastReportAt: -Infinity,
      stats: { id, state: 'new', bitrateKbps: 0, fps: 0, rttMs: null, packetsLost: 0, framesEncoded: 0 },
    };
    this.viewers.set(id, viewer);
    this.feed.users++;
    pc.addEventListener('connectionstatechange', () => {
      viewer.stats.state = pc.connectionState;
      if (pc.connectionState === 'connected') this.clearConnectTimer(viewer);
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.close(id);
    });
    try {
      pc.addTrack(this.feed.track, this.stream);
      // An offer without audio (a video-only player) costs the voice nothing: no track, no encoding.
      if (this.audio && /^m=audio /m.test(sdp)) {
        pc.addTrack(this.audio.track, this.stream);
        viewer.hearing = true;
        this.audio.users++;
      }
      await pc.setRemoteDescription({ type: 'offer', sdp }).catch((error: Error) => {
        throw new HttpError(400, `malformed SDP: ${error.message}`);
      });
      // libwebrtc takes some offers it cannot answer (a=setup:holdconn): the offer's fault, not ours.
      await pc.setLocalDescription(await pc.createAnswer()).catch((error: Error) => {
        throw new HttpError(400, `the offer cannot be answered: ${error.message}`);
      });
      await waitForCandidates(pc, GATHER_TIMEOUT_MS);
    } catch (error) {
      this.close(id);
      throw error;
    }
    if (!this.viewers.has(id)) throw new HttpError(503, 'the connection closed while it was being set up; try again');
    if (pc.connectionState !== 'connected') {
      viewer.connectTimer = setTimeout(() => {
        viewer.connectTimer = null;
        if (pc.connectionState !== 'connected') this.close(id);
      }, this.connectTimeoutMs);
      viewer.connectTimer.unref();
    }
    res.writeHead(201, {
      'content-type': 'application/sdp',
      location: `/whep/${session}/${id}`,
      'access-control-expose-headers': 'Location',
    });
    res.end(pc.localDescription!.sdp);
  }

  private async trickle(req: http.IncomingMessage, viewer: Viewer): Promise<void> {
    if (mediaType(req.headers['content-type']) !== 'application/trickle-ice-sdpfrag') {
      throw new HttpError(415, `content-type must be application/trickle-ice-sdpfrag, got "${req.headers['content-type'] ?? ''}"`);
    }
    const fragment = await readBody(req);
    const mid = /^a=mid:(.+)$/m.exec(fragment)?.[1]?.trim() ?? '0';
    const lines = fragment.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:'));
    // The whole fragment is checked before libwebrtc sees any of it: a refused PATCH adds nothing.
    for (const line of lines) {
      const problem = candidateProblem(line);
      if (problem) throw new HttpError(400, `bad ICE candidate "${line.slice(0, 100)}${line.length > 100 ? '…' : ''}": ${problem}`);
    }
    if (viewer.candidates + lines.length > MAX_TRICKLED_CANDIDATES) {
      throw new HttpError(
        429,
        `at most ${MAX_TRICKLED_CANDIDATES} ICE candidates per viewer; this one has sent ${viewer.candidates} and this PATCH carries ${lines.length}`,
      );
    }
    viewer.candidates += lines.length;
    for (const line of lines) {
      if (!this.viewers.has(viewer.id)) throw new HttpError(404, `viewer "${viewer.id}" has left`);
      await viewer.pc.addIceCandidate({ candidate: line.slice(2), sdpMid: mid }).catch((error: Error) => {
        throw new HttpError(400, `bad ICE candidate "${line}": ${error.message}`);
      });
    }
  }

  /** A viewer's display report: its refresh interval and recent frames' slack (display-pacer.ts). */
  private async display(req: http.IncomingMessage, res: http.ServerResponse, viewer: Viewer): Promise<void> {
    const now = performance.now();
    if (now - viewer.lastReportAt < MIN_REPORT_GAP_MS) {
      throw new HttpError(429, `at most one display report per ${MIN_REPORT_GAP_MS} ms; this one came ${Math.round(now - viewer.lastReportAt)} ms after the last`);
    }
    viewer.lastReportAt = now;
    const report = await readJson(req, displayReportSchema);
    if (!this.viewers.has(viewer.id)) throw new HttpError(404, `viewer "${viewer.id}" has left`);
    const answer = this.pacer ? this.pacer.report(viewer.id, report) : { paced: false, shiftMs: 0, gainMs: 0, note: 'this stream is not paced to displays' };
    sendJson(req, res, 200, answer);
  }

  private clearConnectTimer(viewer: Viewer): void {
    if (viewer.connectTimer) clearTimeout(viewer.connectTimer);
    viewer.connectTimer = null;
  }

  close(id: string): void {
    const viewer = this.viewers.get(id);
    if (!viewer) return;
    this.viewers.delete(id);
    this.clearConnectTimer(viewer);
    this.feed.users--;
    if (this.audio && viewer.hearing) this.audio.users--;
    this.pacer?.left(id);
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
    for (const viewer of [...this.viewers.values()]) {
      // A viewer may leave while we wait for another's report; its connection then refuses.
      const report = this.viewers.has(viewer.id) ? await viewer.pc.getStats().catch(() => null) : null;
      if (!report) continue;
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
