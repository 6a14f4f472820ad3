/**
 * WHEP fuzz cases: SDP offers POSTed to /whep (real offers from libwebrtc, mutated by bytes, by
 * line and by field; random text; huge) and trickle-ICE fragments PATCHed to a live viewer
 * (mutated, random, many candidates, huge, wrong type, unknown viewers). Every candidate address is
 * rewritten to 127.0.0.1 before it is sent, so the server's ICE never reaches past loopback (nor
 * asks DNS or mDNS for a name). Each case is answered 201/204, 4xx with a reason, or 503 at the
 * viewer limit — never another 5xx, never silence.
 */
import { wrtc } from '../app/webrtc/wrtc.js';
import { reasonKind, type FuzzContext } from './fuzz-report.js';
import { caseRng, mutateText, randomText, textPreview, type Rng } from './fuzz-rng.js';

export const SDP_HANG_MS = 10_000;
/** app/webrtc/whep.ts's limit on an offer or trickle fragment. */
export const MAX_SDP_BYTES = 64 * 1024;
/** A body past MAX_SDP_BYTES whose connection closed before its 413 arrived. */
export const OVERSIZED_BODY_CLOSED = 'whep: a body over 64 KiB closed without its 413 (fixed in 9ab9947 up to 1 MiB of body; past that app/webrtc/whep.ts closes the socket by design)';
/** Trickle cases one viewer takes before it is deleted and another made. */
const TRICKLES_PER_VIEWER = 8;

/** Real offers, as a WHEP viewer would send them, made once by libwebrtc in this process. */
let offers: Promise<string[]> | null = null;
export const realOffers = (): Promise<string[]> =>
  (offers ??= (async () => {
    const shapes: ((pc: RTCPeerConnection) => void)[] = [
      (pc) => pc.addTransceiver('video', { direction: 'recvonly' }),
      (pc) => {
        pc.addTransceiver('video', { direction: 'recvonly' });
        pc.addTransceiver('audio', { direction: 'recvonly' });
      },
      (pc) => pc.addTransceiver('video', { direction: 'sendrecv' }),
      (pc) => {
        pc.createDataChannel('x');
        pc.addTransceiver('video', { direction: 'recvonly' });
      },
      (pc) => {
        pc.addTransceiver('video', { direction: 'recvonly' });
        pc.addTransceiver('video', { direction: 'recvonly' });
      },
    ];
    const made: string[] = [];
    for (const shape of shapes) {
      const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
      try {
        shape(pc);
        await pc.setLocalDescription(await pc.createOffer());
        made.push(loopbackOnly(pc.localDescription!.sdp));
      } finally {
        pc.close();
      }
    }
    return made;
  })());

/**
 * Every ICE candidate line, however mangled, names 127.0.0.1 (port 9 when the port is a real one):
 * the server then sends its connectivity checks nowhere but this machine's loopback.
 */
export const loopbackOnly = (sdp: string): string =>
  sdp
    .split('\n')
    .map((line) => {
      if (!/candidate/i.test(line)) return line;
      const cr = line.endsWith('\r');
      const tokens = (cr ? line.slice(0, -1) : line).replace(/[\s\u0000]+/g, ' ').split(' ');
      if (tokens.length >= 5) tokens[4] = '127.0.0.1';
      if (tokens.length >= 6 && /^\d+$/.test(tokens[5]!) && Number(tokens[5]) > 0 && Number(tokens[5]) < 65536) tokens[5] = '9';
      for (let i = 0; i < tokens.length - 1; i++) if (/^raddr$/i.test(tokens[i]!)) tokens[i + 1] = '127.0.0.1';
      return tokens.join(' ') + (cr ? '\r' : '');
    })
    .join('\n');

const CANDIDATE_LINES = (rng: Rng) =>
  rng.pick([
    `a=candidate:${rng.int(0, 2 ** 32)} 1 udp ${rng.int(0, 2 ** 31)} 127.0.0.1 ${rng.int(1, 65535)} typ host generation 0`,
    `a=candidate:1 1 tcp 1518280447 127.0.0.1 9 typ host tcptype ${rng.pick(['active', 'passive', 'so', 'bogus'])}`,
    `a=candidate:2 ${rng.pick(['0', '2', '256', '-1'])} udp 1 127.0.0.1 9 typ ${rng.pick(['host', 'srflx', 'relay', 'prflx', 'bogus'])} raddr 10.0.0.1 rport 1`,
    `a=candidate:3 1 ${rng.pick(['UDP', 'sctp', 'dtls', ''])} 1 127.0.0.1 9 typ host`,
    `a=candidate:4 1 udp 1 127.0.0.1 ${rng.pick(['0', '65536', '-1', 'x'])} typ host`,
    `a=candidate:5 1 udp 1 example.local 9 typ host`,
    `a=candidate:${'f'.repeat(300)} 1 udp 1 127.0.0.1 9 typ host ufrag ${'u'.repeat(300)}`,
    'a=candidate:',
    'a=candidate:1',
    'a=end-of-candidates',
    `a=candidate:6 1 udp 1 127.0.0.1 9 typ host ${Array.from({ length: 50 }, (_, i) => `k${i} v${i}`).join(' ')}`,
  ]);

/** SDP-aware mutations: a line's value replaced by an extreme one, sections duplicated or lost. */
const mutateSdpLines = (rng: Rng, sdp: string): string => {
  const lines = sdp.split('\r\n');
  for (let r = rng.int(1, 3); r > 0; r--) {
    const at = rng.int(0, lines.length - 1);
    switch (rng.int(0, 9)) {
      case 0:
        lines[at] = `m=${rng.pick(['video', 'audio', 'application', 'text', 'video '])} ${rng.pick(['9', '0', '-1', '70000', 'x'])} ${rng.pick(['UDP/TLS/RTP/SAVPF', 'RTP/AVP', 'DTLS/SCTP', 'UDP/DTLS/SCTP', 'TCP'])} ${Array.from({ length: rng.size(40) }, () => rng.int(0, 300)).join(' ')}`;
        break;
      case 1:
        lines[at] = rng.pick([
          `a=rtpmap:${rng.int(0, 300)} ${rng.pick(['VP8', 'H264', 'AV1', 'opus', 'rtx', 'red', ''])}/${rng.pick(['90000', '0', '-1', 'x', '48000/2'])}`,
          `a=fmtp:${rng.int(0, 300)} ${rng.pick(['apt=96', 'apt=999', 'profile-id=99', 'x'.repeat(2000), ';;;;=='])}`,
          `a=rtcp-fb:${rng.pick(['*', '96', '999'])} ${rng.pick(['nack', 'nack pli', 'goog-remb', 'ccm fir', 'x'])}`,
          `a=extmap:${rng.pick([0, 1, 14, 15, 16, 255, 256, 4096])} ${rng.pick(['urn:ietf:params:rtp-hdrext:sdes:mid', 'urn:3gpp:video-orientation', 'x'])}`,
          `a=ssrc:${rng.pick([0, 1, 4294967295, 4294967296, -1])} cname:${randomText(rng, 20)}`,
          `a=ssrc-group:FID ${rng.int(0, 2 ** 32)} ${rng.int(0, 2 ** 32)} ${rng.int(0, 2 ** 32)}`,
          `a=fingerprint:${rng.pick(['sha-256', 'sha-1', 'md5', 'sha-512', 'bogus'])} ${rng.pick(['00:11', 'ZZ', 'AA:'.repeat(100)])}`,
          `a=setup:${rng.pick(['active', 'passive', 'actpass', 'holdconn', ''])}`,
          `a=ice-ufrag:${rng.pick(['', 'a', 'u'.repeat(300)])}`,
          `a=ice-pwd:${rng.pick(['', 'short', 'p'.repeat(300)])}`,
          `a=group:BUNDLE ${rng.pick(['0 1 2 3', 'x', '', '0 0'])}`,
          `a=mid:${rng.pick(['', '0', '1', 'x'.repeat(300)])}`,
          `a=msid:${randomText(rng, 30)}`,
          `a=rid:${rng.pick(['h', 'l', ''])} ${rng.pick(['send', 'recv', 'x'])}`,
          `a=simulcast:${rng.pick(['send h;l', 'recv h;l', 'x'])}`,
          `a=sctp-port:${rng.pick(['5000', '0', '70000', 'x'])}`,
          `a=max-message-size:${rng.pick(['0', '-1', '99999999999999'])}`,
          `b=${rng.pick(['AS', 'TIAS', 'CT'])}:${rng.pick(['-1', '0', '99999999999'])}`,
          `c=IN ${rng.pick(['IP4', 'IP6', 'IP9'])} ${rng.pick(['0.0.0.0', '::', 'x'])}`,
          `a=${rng.pick(['sendonly', 'recvonly', 'inactive', 'sendrecv', 'ice-lite', 'rtcp-mux-only', 'extmap-allow-mixed'])}`,
          CANDIDATE_LINES(rng),
        ]);
        break;
      case 2: // drop a line
        lines.splice(at, 1);
        break;
      case 3: // duplicate a line many times
        lines.splice(at, 0, ...Array.from({ length: rng.pick([2, 10, 200]) }, () => lines[at]!));
        break;
      case 4: {
        // duplicate a whole media section
        const start = lines.findIndex((l) => l.startsWith('m='));
        if (start >= 0) lines.push(...Array.from({ length: rng.pick([1, 5, 30]) }, () => lines.slice(start, -1)).flat());
        break;
      }
      case 5: // drop every line of one kind
        for (const kind of [rng.pick(['a=ice-', 'a=fingerprint', 'a=setup', 'a=mid', 'a=rtpmap', 'm=', 'a=group', 'o=', 's=', 't='])]) {
          for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.startsWith(kind)) lines.splice(i, 1);
        }
        break;
      case 6:
        lines.splice(at, 0, CANDIDATE_LINES(rng));
        break;
      case 7: // a line with no value, or an unknown type letter
        lines.splice(at, 0, rng.pick(['a=', '=', 'z=1', 'a', 'v=1', 'm=', 'a=rtpmap:', 'a=fmtp:', randomText(rng, 40)]));
        break;
      case 8: // swap two lines
        {
          const other = rng.int(0, lines.length - 1);
          [lines[at], lines[other]] = [lines[other]!, lines[at]!];
        }
        break;
      default: // LF-only, or no line ends at all
        return rng.chance(0.5) ? lines.join('\n') : lines.join(' ');
    }
  }
  return lines.join('\r\n');
};

const fragment = (rng: Rng, offer: string): string => {
  const ufrag = /a=ice-ufrag:(.*)/.exec(offer)?.[1]?.trim() ?? 'x';
  const pwd = /a=ice-pwd:(.*)/.exec(offer)?.[1]?.trim() ?? 'y';
  const valid = [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, `a=mid:${rng.pick(['0', '0', '1', '', 'x'])}`, CANDIDATE_LINES(rng), 'a=end-of-candidates'].join('\r\n') + '\r\n';
  switch (rng.int(0, 5)) {
    case 0:
    case 1:
      return valid;
    case 2:
      return mutateText(rng, valid);
    case 3:
      return randomText(rng, 300);
    case 4:
      return Array.from({ length: rng.pick([50, 500]) }, () => CANDIDATE_LINES(rng)).join('\r\n');
    default:
      return `a=mid:0\r\n${'a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n'.repeat(rng.pick([1000, 2000]))}`;
  }
};

export type SdpCase =
  | { kind: 'offer'; body: string; contentType: string | null; input: string }
  | { kind: 'trickle'; body: string; contentType: string | null; method: string; viewer: 'live' | 'unknown'; input: string };

/** Case `index` of the SDP target. */
export const sdpCase = (rng: Rng, offers: readonly string[]): SdpCase => {
  const offer = rng.pick(offers);
  const roll = rng.int(0, 99);
  const offerCase = (body: string, contentType: string | null = 'application/sdp', what: string) => ({
    kind: 'offer' as const,
    body: loopbackOnly(body),
    contentType,
    input: `offer (${what}): ${textPreview(body, 160)}`,
  });
  if (roll < 35) return offerCase(mutateText(rng, offer), undefined, 'mutated text');
  if (roll < 55) return offerCase(mutateSdpLines(rng, offer), undefined, 'mutated lines');
  if (roll < 60) return offerCase(rng.chance(0.5) ? `v=0\r\nm=video ${randomText(rng, 200)}` : randomText(rng, 400), undefined, 'random text');
  if (roll < 63) {
    const size = rng.pick([MAX_SDP_BYTES, MAX_SDP_BYTES + 1, 1024 * 1024]);
    return offerCase(offer + `a=x-pad:${'p'.repeat(Math.max(0, size - offer.length - 11))}\r\n`, undefined, `padded to ${size} bytes`);
  }
  if (roll < 65) return offerCase(offer, rng.pick([null, 'text/plain', 'application/sdpx', 'application/json']), 'wrong content type');
  if (roll < 67) return offerCase(offer, undefined, 'a real offer');
  const body = loopbackOnly(fragment(rng, offer));
  const contentType = rng.chance(0.93) ? 'application/trickle-ice-sdpfrag' : rng.pick([null, 'application/sdp', 'text/plain']);
  const method = rng.chance(0.93) ? 'PATCH' : rng.pick(['GET', 'POST', 'PUT', 'DELETE']);
  const viewer = rng.chance(0.93) ? 'live' : 'unknown';
  return { kind: 'trickle', body, contentType, method, viewer, input: `trickle (${method} ${viewer} viewer, ${contentType}): ${textPreview(body, 160)}` };
};

/** One SDP worker: runs cases from `queue`, holding one live viewer for its trickle cases. */
const sdpWorker = async (ctx: FuzzContext, queue: number[], offers: readonly string[]): Promise<void> => {
  let viewer: string | null = null;
  let uses = 0;
  const request = async (path: string, method: string, body: string | null, contentType: string | null) => {
    const response = await fetch(`${ctx.url}${path}`, {
      method,
      headers: contentType ? { 'content-type': contentType } : {},
      body: method === 'GET' || method === 'HEAD' ? undefined : (body ?? undefined),
      signal: AbortSignal.timeout(SDP_HANG_MS),
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', location: response.headers.get('location'), text: await response.text() };
  };
  const leave = async () => {
    if (viewer) await request(viewer, 'DELETE', null, null).catch(() => undefined);
    viewer = null;
    uses = 0;
  };
  for (let index = queue.shift(); index !== undefined && !ctx.stopped(); index = queue.shift()) {
    const c = sdpCase(caseRng(ctx.seed, 'sdp', index), offers);
    if (c.kind === 'trickle' && c.viewer === 'live' && !viewer) {
      const made = await request('/whep', 'POST', offers[0]!, 'application/sdp').catch((error: Error) => ({ status: 0, type: '', location: null, text: error.message }));
      if (made.status === 201 && made.location) viewer = made.location;
      else if (!ctx.stopped()) {
        if (made.status === 503) await new Promise((r) => setTimeout(r, 200)); // at the viewer limit: others will leave
        else ctx.fail({ kind: made.status >= 500 ? 'server-error' : 'hang', target: 'sdp', index, input: 'a clean offer, to have a viewer to trickle to', what: `HTTP ${made.status}: ${made.text.slice(0, 200)}` });
        queue.push(index);
        continue;
      }
    }
    const path = c.kind === 'offer' ? '/whep' : c.viewer === 'live' ? viewer! : '/whep/default/00000000-0000-4000-8000-000000000000';
    const method = c.kind === 'offer' ? 'POST' : c.method;
    ctx.inFlight.set(`sdp:${index}`, c.input);
    const started = performance.now();
    const answer = await request(path, method, c.body, c.contentType).catch((error: Error) => ({
      status: 0,
      type: '',
      location: null,
      text: `${error.name}: ${error.message}${(error.cause as { code?: string } | undefined)?.code ? ` (${(error.cause as { code: string }).code})` : ''}`,
    }));
    ctx.inFlight.delete(`sdp:${index}`);
    if (ctx.stopped()) return;
    if (c.kind === 'trickle' && c.viewer === 'live') {
      uses++;
      if (method === 'DELETE' || uses >= TRICKLES_PER_VIEWER || answer.status === 404) {
        if (method === 'DELETE') viewer = null;
        await leave();
      }
    }
    if (answer.status === 201 && answer.location) await request(answer.location, 'DELETE', null, null).catch(() => undefined);
    if (answer.status === 0) {
      const timedOut = /TimeoutError|aborted/i.test(answer.text);
      if (!timedOut && Buffer.byteLength(c.body) > MAX_SDP_BYTES && (method === 'POST' || method === 'PATCH')) {
        ctx.tally.find(OVERSIZED_BODY_CLOSED, c.input);
        ctx.tally.answer('sdp', `${c.kind} closed (body over 64 KiB)`, c.input);
        continue;
      }
      ctx.fail({ kind: timedOut ? 'hang' : 'no-reason', target: 'sdp', index, input: c.input, what: `no answer after ${Math.round(performance.now() - started)} ms (${answer.text})` });
      continue;
    }
    if (answer.status >= 500) {
      if (answer.status === 503 && /viewer limit/.test(answer.text)) {
        ctx.tally.find('http 503 when the viewer limit is reached (documented; a 5xx all the same)', c.input);
        ctx.tally.answer('sdp', '503 viewer limit', c.input);
      } else ctx.fail({ kind: 'server-error', target: 'sdp', index, input: c.input, what: `HTTP ${answer.status}: ${textPreview(answer.text, 300)}` });
      continue;
    }
    if (answer.status >= 400 && !answer.text.trim()) {
      ctx.fail({ kind: 'no-reason', target: 'sdp', index, input: c.input, what: `HTTP ${answer.status} with no body` });
      continue;
    }
    const reason = answer.status >= 400 ? `: ${reasonKind(answer.text.split(':')[0]!)}` : '';
    ctx.tally.answer('sdp', `${c.kind} ${answer.status}${reason}`, c.input);
  }
  await leave();
};

/** Runs the SDP cases `indices` on `workers` workers (each holds at most one viewer at a time, plus one being answered). */
export const runSdpCases = async (ctx: FuzzContext, indices: readonly number[], { workers = 3 } = {}): Promise<void> => {
  const offers = await realOffers();
  const queue = [...indices];
  await Promise.all(Array.from({ length: workers }, () => sdpWorker(ctx, queue, offers)));
};

export const describeSdpCase = async (seed: number, index: number): Promise<string> => sdpCase(caseRng(seed, 'sdp', index), await realOffers()).input;
