/**
 * WebSocket fuzz cases, each made from its own seeded generator: random bytes, mutated valid
 * messages (protocol/wire.ts ClientMessageSchema: chat, hello, ack, profile), structurally broken
 * objects packed by differently configured msgpackr encoders, hand-made msgpack that lies about
 * sizes or uses every extension msgpackr knows, deep nesting, text frames, large and huge
 * messages, bursts past the flood limit, and raw WebSocket frames that break the framing itself.
 */
import { Packr } from 'msgpackr';
import { MAX_INBOUND_BYTES, encodeMessage, type ClientMessage } from '../protocol/wire.js';
import { NASTY_STRINGS, hexPreview, mutateBytes, randomText, textPreview, type Rng } from './fuzz-rng.js';

/** Where a case runs: on a shared, paced connection, or on a connection of its own (it may end it). */
export type WsLane = 'shared' | 'own';

export type WsCase =
  | { kind: string; lane: 'shared'; frame: Uint8Array | string; chat: boolean; input: string }
  /** Sent over `ws` at once (a burst, or one message over the 4 MiB hard cap). */
  | { kind: string; lane: 'own'; frames: (Uint8Array | string)[]; input: string }
  /** Raw bytes after a hand-made WebSocket handshake: frames that break the framing. */
  | { kind: string; lane: 'raw'; bytes: Uint8Array; input: string };

/** The ws hard cap (app/server.ts WS_MAX_PAYLOAD): a bigger message closes the socket with 1009. */
export const WS_HARD_CAP = 4 * 1024 * 1024;

const LINES = ['wave', 'nod', 'smile', 'hello there', 'sit down please', 'jump and wave', 'look left', 'be sad', 'stop', 'dance for me'];

/** A message the schema accepts. */
export const validMessage = (rng: Rng): ClientMessage => {
  switch (rng.int(0, 5)) {
    case 0:
    case 1:
      return { type: 'chat', text: rng.chance(0.6) ? rng.pick(LINES) : randomText(rng, 300) || 'x' };
    case 2:
      return { type: 'hello', wantFrames: rng.chance(0.1) };
    case 3:
      return { type: 'ack', seq: rng.chance(0.5) ? rng.int(0, 1000) : rng.int(0, 2 ** 31) };
    default:
      return { type: 'profile', enabled: rng.chance(0.3) };
  }
};

const ENCODERS = [
  new Packr({ useRecords: true, mapsAsObjects: true }), // the server's own
  new Packr({ useRecords: false }),
  new Packr({ structuredClone: true }),
  new Packr({ moreTypes: true, useRecords: false }),
  new Packr({ useRecords: false, variableMapSize: true, useFloat32: 1 }),
];

/** A value of any type msgpackr can carry, `depth` levels deep at most. */
const randomValue = (rng: Rng, depth = 2): unknown => {
  switch (rng.int(0, 17)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.chance(0.5);
    case 3:
      return rng.pick([0, -1, 1, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 2 ** 53 + 2, -(2 ** 63), 1.5, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE]);
    case 4:
      return rng.int(-1000, 1000);
    case 5:
    case 6:
      return randomText(rng, 100);
    case 7:
      return rng.pick(['x'.repeat(2000), 'x'.repeat(2001), 'é'.repeat(2000), '\ud83d'.repeat(1000), ' '.repeat(2000), 'x'.repeat(20_000)]);
    case 8:
      return depth > 0 ? Array.from({ length: rng.size(8) }, () => randomValue(rng, depth - 1)) : [];
    case 9:
      return depth > 0 ? Object.fromEntries(Array.from({ length: rng.size(6) }, () => [randomText(rng, 12), randomValue(rng, depth - 1)])) : {};
    case 10:
      return new Date(rng.pick([0, -1, 8.64e15, 8.64e15 + 1, NaN, Date.UTC(2025, 0, 1)]));
    case 11:
      return Buffer.from(rng.bytes(rng.size(64)));
    case 12:
      return depth > 0 ? new Map([[rng.pick(['__proto__', 'constructor', 'type', 'text', '']), randomValue(rng, depth - 1)]]) : new Map();
    case 13:
      return depth > 0 ? new Set([randomValue(rng, depth - 1), randomValue(rng, depth - 1)]) : new Set();
    case 14:
      return rng.pick([new Float32Array([NaN, 1]), new Int16Array(4), new BigInt64Array(2)]);
    case 15:
      return rng.pick([/a+$/, new RegExp('(a|aa)+', 'g')]);
    case 16:
      return new (rng.pick([Error, TypeError, RangeError]))(randomText(rng, 40));
    default:
      return BigInt(rng.int(-1000, 1000)) * 2n ** 64n;
  }
};

/** A valid message with its structure broken: fields of the wrong type, missing, extra, renamed, wrapped. */
const brokenObject = (rng: Rng): unknown => {
  let value: unknown = { ...validMessage(rng) };
  for (let r = rng.int(1, 3); r > 0; r--) {
    const object = value as Record<string, unknown>;
    switch (rng.int(0, 7)) {
      case 0:
      case 1: {
        const key = rng.pick([...Object.keys(object), 'type', 'text', 'seq', 'enabled', 'wantFrames', randomText(rng, 10)]);
        object[key] = randomValue(rng);
        break;
      }
      case 2:
        delete object[rng.pick(Object.keys(object).length ? Object.keys(object) : ['type'])];
        break;
      case 3:
        object.type = rng.pick(['Chat', 'chat ', 'chat\0', 'CHAT', 'dance', '', 'reply', 'frame', 'error', '__proto__', 'constructor', 'toString', 'hasOwnProperty']);
        break;
      case 4:
        object.text = rng.pick(['', 'x'.repeat(2000), 'x'.repeat(2001), randomText(rng, 50), '\u0000']);
        object.type = 'chat';
        break;
      case 5:
        value = rng.pick([[object], { message: object }, [object, object], new Map(Object.entries(object))]);
        return value;
      case 6:
        object.seq = rng.pick([-1, 1.5, NaN, 2 ** 53, 2 ** 64, '1', null]);
        object.type = 'ack';
        break;
      default:
        return randomValue(rng, 3);
    }
  }
  return value;
};

const packWith = (rng: Rng, value: unknown): Uint8Array => {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return rng.pick(ENCODERS).pack(value);
    } catch {
      value = randomValue(rng, 1); // this encoder cannot write that value (a BigInt past 64 bits, say): another one
    }
  }
  return encodeMessage({ type: 'chat', text: 'x' });
};

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const str = (s: string) => {
  const b = Buffer.from(s);
  return [0xd9, b.length, ...b];
};
const EXT_TYPES = [0x00, 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78, 0xff, 0x01, 0x7f];

/** Msgpack written by hand: containers that claim billions of items, every extension, record definitions, trailing data. */
const exoticMsgpack = (rng: Rng): Uint8Array => {
  const payload = Array.from(rng.bytes(rng.size(24)));
  switch (rng.int(0, 11)) {
    case 0: // a container or string that claims far more than is there
      return Uint8Array.from([rng.pick([0xdd, 0xdf, 0xdb, 0xc6, 0xc9, 0xdc, 0xde, 0xda, 0xc5]), ...u32(rng.pick([0xffffffff, 0x7fffffff, 0x10000, 65537])), ...payload]);
    case 1: // fixext 1/2/4/8/16 of each known extension
      return Uint8Array.from([rng.pick([0xd4, 0xd5, 0xd6, 0xd7, 0xd8]), rng.pick(EXT_TYPES), ...payload]);
    case 2: // ext 8 with a length
      return Uint8Array.from([0xc7, rng.int(0, 255), rng.pick(EXT_TYPES), ...payload]);
    case 3: // ext 32 with a length
      return Uint8Array.from([0xc9, ...u32(rng.pick([0, 1, 4, 0xffff, 0xffffffff])), rng.pick(EXT_TYPES), ...payload]);
    case 4: // a record definition, then references to it and to undefined ones
      return Uint8Array.from([0xd4, 0x72, 0x40 + rng.int(0, 63), 0x92, ...str('type'), ...str('text'), ...str('chat'), ...str(randomText(rng, 20) || 'x'), 0x40 + rng.int(0, 63), ...payload]);
    case 5: // two-byte record definitions
      return Uint8Array.from([0xd5, 0x72, rng.int(0, 255), rng.int(0, 255), 0x91, ...str('type'), ...str('hello'), ...payload]);
    case 6: // a structured-clone pointer to an id never defined, or a cycle
      return rng.chance(0.5)
        ? Uint8Array.from([0xd6, 0x70, ...u32(rng.int(0, 5))])
        : Uint8Array.from([0xd6, 0x69, 0, 0, 0, 1, 0x82, ...str('type'), ...str('chat'), ...str('text'), 0xd6, 0x70, 0, 0, 0, 1]);
    case 7: // an Error extension naming a constructor off the prototype chain
      return Uint8Array.from([0xd4, 0x65, 0, 0x93, ...str(rng.pick(['constructor', '__proto__', 'hasOwnProperty', 'toString', 'AggregateError', 'Error', 'valueOf'])), ...str('x'), 0xc0]);
    case 8: // a RegExp extension with a hostile pattern
      return Uint8Array.from([0xd4, 0x78, 0, 0x92, ...str(rng.pick(['(a+)+$', '[', '(?<x>a)\\k<x>', 'a{99999999}'])), ...str(rng.pick(['g', 'zz', 'v', '']))]);
    case 9: // a typed array of each code, oddly sized
      return Uint8Array.from([0xc7, rng.int(0, 40), 0x74, rng.int(0, 20), ...payload]);
    case 10: // two messages back to back, or trailing garbage after a valid one
      return Uint8Array.from([...encodeMessage({ type: 'ack', seq: 1 }), ...(rng.chance(0.5) ? encodeMessage({ type: 'hello', wantFrames: false }) : payload)]);
    default: // a map with many keys (each one unrecognized by the schema)
      return ENCODERS[1]!.pack(Object.fromEntries(Array.from({ length: rng.pick([100, 2000, 5000]) }, (_, i) => [`k${i}`, i])));
  }
};

/** Arrays or maps nested `depth` deep (msgpackr reads them recursively), alone or as a chat line's text. */
const deepNesting = (rng: Rng): Uint8Array => {
  const depth = rng.pick([100, 1000, 5000, 10_000, 30_000, 60_000, 70_000, rng.int(1, 65_000)]);
  const unit = rng.pick([[0x91], [0x81, 0xa1, 0x61], [0xdc, 0x00, 0x01], [0x91, 0x81, 0xa1, 0x61]]);
  const body: number[] = [];
  while (body.length < depth * unit.length && body.length < MAX_INBOUND_BYTES + 1024) body.push(...unit);
  body.push(0xc0);
  if (rng.chance(0.5)) return Uint8Array.from(body);
  // { type: 'chat', text: <deep> } as the server's own encoder writes the record
  const prefix = Array.from(encodeMessage({ type: 'chat', text: 'x' }).subarray(0, -2));
  return Uint8Array.from([...prefix, ...body]);
};

const TEXTS = (rng: Rng): string =>
  rng.pick([
    JSON.stringify(validMessage(rng)),
    '',
    randomText(rng, 200),
    rng.pick(NASTY_STRINGS),
    'x'.repeat(rng.pick([1000, 70_000])),
    '\ufffd'.repeat(100),
  ]);

/** One WebSocket frame on the wire, masked as a client must (or not, or lying about its length). */
const wireFrame = (rng: Rng, opcode: number, payload: Uint8Array, options: { fin?: boolean; rsv?: number; masked?: boolean; lengthMode?: 'min' | '16' | '64' | 'cap' | 'huge' } = {}): number[] => {
  const { fin = true, rsv = 0, masked = true, lengthMode = 'min' } = options;
  const head = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xf)];
  const mask = masked ? 0x80 : 0;
  const n = payload.length;
  if (lengthMode === 'cap') head.push(mask | 127, 0, 0, 0, 0, ...u32(WS_HARD_CAP + 1)); // claims more than the cap; nothing follows
  else if (lengthMode === 'huge') head.push(mask | 127, 0x80, 0, 0, 0, 0, 0, 0, 1); // a length over 2^63
  else if (lengthMode === '64' || n > 0xffff) head.push(mask | 127, 0, 0, 0, 0, ...u32(n));
  else if (lengthMode === '16' || n > 125) head.push(mask | 126, (n >> 8) & 255, n & 255);
  else head.push(mask | n);
  if (lengthMode === 'cap' || lengthMode === 'huge') return head;
  if (!masked) return [...head, ...payload];
  const key = Array.from(rng.bytes(4));
  return [...head, ...key, ...payload.map((b, i) => b ^ key[i & 3]!)];
};

/** A valid masked text frame: the end marker of a raw case (the server answers it with an error). */
export const textSentinelFrame = (rng: Rng): Uint8Array => Uint8Array.from(wireFrame(rng, 0x1, Buffer.from('.')));

/** Frames that break WebSocket framing: bad opcodes, RSV bits, no mask, lying lengths, bad close codes, broken UTF-8, stray continuations. */
const rawFrames = (rng: Rng): { bytes: Uint8Array; what: string } => {
  const small = () => rng.bytes(rng.size(40));
  switch (rng.int(0, 11)) {
    case 0: {
      const opcode = rng.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]);
      return { bytes: Uint8Array.from(wireFrame(rng, opcode, small())), what: `reserved opcode ${opcode}` };
    }
    case 1:
      return { bytes: Uint8Array.from(wireFrame(rng, 0x2, encodeMessage(validMessage(rng)), { rsv: rng.int(1, 7) })), what: 'RSV bits set' };
    case 2:
      return { bytes: Uint8Array.from(wireFrame(rng, 0x2, encodeMessage(validMessage(rng)), { masked: false })), what: 'unmasked client frame' };
    case 3:
      return { bytes: Uint8Array.from(wireFrame(rng, 0x2, new Uint8Array(0), { lengthMode: rng.pick(['cap', 'huge'] as const) })), what: 'length over the cap' };
    case 4:
      return { bytes: Uint8Array.from(wireFrame(rng, 0x2, encodeMessage(validMessage(rng)), { lengthMode: rng.pick(['16', '64'] as const) })), what: 'non-minimal length' };
    case 5: {
      const code = rng.pick([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 3000, 4999, 5000, 65535]);
      const reason = rng.chance(0.5) ? Buffer.from([0xc3, 0x28]) : Buffer.from('bye');
      return { bytes: Uint8Array.from(wireFrame(rng, 0x8, Uint8Array.from([code >> 8, code & 255, ...reason]))), what: `close code ${code}` };
    }
    case 6:
      return { bytes: Uint8Array.from(wireFrame(rng, 0x8, Uint8Array.from([rng.int(0, 255)]))), what: 'close frame with a 1-byte body' };
    case 7:
      return { bytes: Uint8Array.from(wireFrame(rng, rng.pick([0x8, 0x9, 0xa]), rng.bytes(rng.int(126, 300)))), what: 'control frame over 125 bytes' };
    case 8:
      return { bytes: Uint8Array.from(wireFrame(rng, rng.pick([0x9, 0xa]), small(), { fin: rng.chance(0.5) })), what: 'ping or pong' };
    case 9:
      return { bytes: Uint8Array.from(wireFrame(rng, 0x1, rng.pick([Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), rng.bytes(20)]))), what: 'text frame that is not UTF-8' };
    case 10:
      return { bytes: Uint8Array.from(wireFrame(rng, 0x0, small(), { fin: rng.chance(0.5) })), what: 'continuation with nothing to continue' };
    default: {
      // a fragmented message, interleaved with a ping, maybe never finished
      const whole = encodeMessage(validMessage(rng));
      const cut = rng.int(0, whole.length);
      const parts = [...wireFrame(rng, 0x2, whole.subarray(0, cut), { fin: false }), ...wireFrame(rng, 0x9, small().subarray(0, 10))];
      if (rng.chance(0.7)) parts.push(...wireFrame(rng, 0x0, whole.subarray(cut)));
      return { bytes: Uint8Array.from(parts), what: 'fragmented message' };
    }
  }
};

/** Per 1000 cases. The `own` and `raw` kinds open a connection each, so they are rarer. */
const WEIGHTS: [kind: string, weight: number][] = [
  ['random-bytes', 180],
  ['mutated-valid', 210],
  ['broken-object', 200],
  ['exotic-msgpack', 120],
  ['deep-nesting', 50],
  ['text-frame', 80],
  ['valid', 100],
  ['large', 6],
  ['huge', 1],
  ['burst', 8],
  ['raw-frames', 45],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((a, [, w]) => a + w, 0);
/** Every kind, once each, as the first cases of a run: even a small run covers them all. */
export const WS_KINDS = WEIGHTS.map(([kind]) => kind);

export const wsCaseKind = (rng: Rng, index: number): string => {
  if (index < WS_KINDS.length) return WS_KINDS[index]!;
  let roll = rng.int(0, TOTAL_WEIGHT - 1);
  for (const [kind, weight] of WEIGHTS) if ((roll -= weight) < 0) return kind;
  return 'random-bytes';
};

/** A message for a shared connection; `chat` when it is a chat line the schema accepts. */
const sharedMessage = (rng: Rng, kind: string): { frame: Uint8Array | string; chat: boolean } => {
  switch (kind) {
    case 'random-bytes':
      return { frame: rng.bytes(rng.size(512)), chat: false };
    case 'mutated-valid':
      return { frame: mutateBytes(rng, encodeMessage(validMessage(rng))), chat: false };
    case 'broken-object':
      return { frame: packWith(rng, brokenObject(rng)), chat: false };
    case 'exotic-msgpack':
      return { frame: exoticMsgpack(rng), chat: false };
    case 'deep-nesting':
      return { frame: deepNesting(rng), chat: false };
    case 'text-frame':
      return { frame: TEXTS(rng), chat: false };
    case 'large':
      return rng.chance(0.5)
        ? { frame: encodeMessage({ type: 'chat', text: 'x'.repeat(rng.pick([MAX_INBOUND_BYTES - 10, MAX_INBOUND_BYTES + 1, 256 * 1024, 1024 * 1024])) }), chat: false }
        : { frame: rng.bytes(rng.pick([MAX_INBOUND_BYTES, MAX_INBOUND_BYTES + 1, 512 * 1024])), chat: false };
    default: {
      const message = validMessage(rng);
      return { frame: encodeMessage(message), chat: message.type === 'chat' };
    }
  }
};

const describe = (frame: Uint8Array | string) => (typeof frame === 'string' ? `text ${textPreview(frame)}` : hexPreview(frame));

/** Case `index` from its generator. */
export const wsCase = (rng: Rng, index: number): WsCase => {
  const kind = wsCaseKind(rng, index);
  if (kind === 'huge') {
    const size = WS_HARD_CAP + rng.int(1, 2 * 1024 * 1024);
    const frame = rng.chance(0.5) ? encodeMessage({ type: 'chat', text: 'x'.repeat(size) }) : new Uint8Array(size).fill(rng.int(0, 255));
    return { kind, lane: 'own', frames: [frame], input: `${kind}: one ${frame.byteLength}-byte message` };
  }
  if (kind === 'burst') {
    const count = rng.pick([20, 100, 300, 420, 600, 900, rng.int(1, 900)]);
    const frames = Array.from({ length: count }, () => sharedMessage(rng, rng.pick(['random-bytes', 'mutated-valid', 'broken-object', 'valid', 'text-frame'])).frame);
    return { kind, lane: 'own', frames, input: `${kind}: ${count} messages at once, the first ${describe(frames[0]!)}` };
  }
  if (kind === 'raw-frames') {
    const { bytes, what } = rawFrames(rng);
    return { kind, lane: 'raw', bytes, input: `${kind} (${what}): ${hexPreview(bytes)}` };
  }
  const { frame, chat } = sharedMessage(rng, kind);
  return { kind, lane: 'shared', frame, chat, input: `${kind}: ${describe(frame)}` };
};
