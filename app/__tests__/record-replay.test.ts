/**
 * Record and replay: a real server records its session (chat over the WebSocket, a directive through
 * the engine API, the voice's spoken lines) with --record; the file replays on the simulated clock
 * to the same frames every time, its inputs land on the ticks they were taken live, and the same
 * recording renders as another character, deterministically too.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../protocol/recording.js';
import type { CharacterDefinition } from '../../characters/types.js';
import { startServer } from '../server.js';
import { loadRecording, replayRecording } from '../replay.js';
import { TestClient } from './ws-client.js';
import { SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../session.js';
import { SessionRecorder } from '../recorder.js';
import { stepAndLand } from '../../systems/__tests__/step-and-land.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let file: string;
let lines: { type: string; tick?: number; [key: string]: unknown }[];
let voiceOn: boolean;

/** Every frame's SHA-1, in order. */
const frameHashes = async (recording: Recording, character: CharacterDefinition): Promise<string[]> => {
  const hashes: string[] = [];
  const result = await replayRecording(recording, { character, onFrame: (rgba) => void hashes.push(createHash('sha1').update(rgba).digest('hex')) });
  expect(result.frames).toBe(hashes.length);
  return hashes;
};

beforeAll(async () => {
  file = path.join(await mkdtemp(path.join(os.tmpdir(), 'persona-record-')), 'session.jsonl');
  const server = await startServer({ port: 0, width: 128, height: 128, record: file });
  try {
    const served = server.sessions.get('default')!;
    voiceOn = served.voiceStatus.on;
    const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
    await client.waitFor('welcome');
    await sleep(300); // a few idle ticks first: the first input is not at tick 1
    client.send({ type: 'chat', text: 'wave' });
    await client.waitFor('reply', (m) => m.inReplyTo === 'wave');
    await sleep(700);
    served.session.submit({ id: 'api-1', source: 'script', expression: { name: 'surprised', intensity: 1 } }); // the engine API
    await sleep(500);
    client.send({ type: 'chat', text: 'sit down and look sad' });
    await client.waitFor('reply', (m) => m.inReplyTo === 'sit down and look sad');
    await sleep(1200);
    client.close();
  } finally {
    await server.close(); // ends the recording
  }
  lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as (typeof lines)[number]);
});

describe('record and replay', () => {
  it('records the session: header, chat lines, their directives and replies, the API directive, spoken lines, the end', () => {
    expect(lines[0]).toMatchObject({ type: 'header', version: 1, character: 'aria', fps: 30, width: 128, height: 128, seed: 1, source: 'puppet', session: 'default' });
    const of = (type: string) => lines.filter((l) => l.type === type);
    expect(of('chat').map((l) => l.text)).toEqual(['wave', 'sit down and look sad']);
    const directives = of('directive').map((l) => l.directive as { source: string; action?: { name: string }; expression?: { name: string } });
    expect(directives.map((d) => d.action?.name ?? d.expression?.name)).toEqual(['wave', 'surprised', 'sit_down', 'sad']);
    expect(directives[1]!.source).toBe('script');
    expect(of('reply')).toHaveLength(2);
    // Each line's directives are taken by the tick after the line arrived: the same tick as the line.
    const chatTick = of('chat')[0]!.tick;
    expect(lines.find((l) => l.type === 'directive')!.tick).toBe(chatTick);
    if (voiceOn) expect(of('say').length).toBeGreaterThanOrEqual(2); // the voice's lines, with their mouth timelines
    const end = lines.at(-1)!;
    expect(end.type).toBe('end');
    expect(end.tick).toBeGreaterThan(60); // ~3 s at 30 Hz
    const ticks = lines.slice(1).map((l) => l.tick!);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
  });

  it('replays to identical frames every time, one per recorded tick', async () => {
    const { recording, character } = await loadRecording(file);
    expect(recording.complete).toBe(true);
    const first = await frameHashes(recording, character);
    const second = await frameHashes(recording, character);
    expect(first).toHaveLength(recording.lastTick);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(30); // she moves: not one frame repeated
  });

  it('applies each input at its recorded tick: without the inputs the frames agree up to that tick and differ from it on', async () => {
    const { recording, character } = await loadRecording(file);
    const firstInputTick = recording.entries.find((e) => e.type === 'directive')!.tick;
    const withInputs = await frameHashes(recording, character);
    const without = await frameHashes({ ...recording, entries: [] }, character);
    const firstDifference = withInputs.findIndex((h, i) => h !== without[i]);
    expect(firstDifference).toBe(firstInputTick - 1); // frame i is tick i + 1's
  });

  it('renders the same recording as another character: other frames, the same every time', async () => {
    const aria = await loadRecording(file);
    const kai = await loadRecording(file, { character: 'kai' });
    expect(kai.character.id).toBe('kai');
    const ariaHashes = await frameHashes(aria.recording, aria.character);
    const kaiFirst = await frameHashes(kai.recording, kai.character);
    const kaiSecond = await frameHashes(kai.recording, kai.character);
    expect(kaiSecond).toEqual(kaiFirst);
    expect(kaiFirst).toHaveLength(ariaHashes.length);
    expect(kaiFirst.filter((h, i) => h === ariaHashes[i])).toHaveLength(0);
  });
});

describe('replay against the session it recorded', () => {
  it('shows the very frames the recorded session showed (a session on the simulated clock: no tick dropped)', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'persona-record-')), 'sim.jsonl');
    const session = new PersonaSession({ clock: new SimulatedClock(), width: 128, height: 128, character: 'mira' });
    const recorder = new SessionRecorder(session, file, { source: 'puppet' });
    const live: string[] = [];
    session.onFrame((f) => void live.push(createHash('sha1').update(f.rgba).digest('hex')));
    for (let tick = 0; tick < 120; tick++) {
      if (tick === 8) session.chat('wave and look happy');
      if (tick === 30) session.say('Hello there', { mouth: [{ atMs: 0, viseme: 'aa', weight: 0.9 }, { atMs: 200, viseme: 'oh', weight: 0.7 }, { atMs: 450, viseme: 'rest', weight: 0 }], startsAt: session.now + 40, durationMs: 500 });
      if (tick === 70) session.chat('sit down');
      await stepAndLand(session);
    }
    await recorder.stop();
    session.stop();
    const { recording, character } = await loadRecording(file);
    expect(recording.entries.map((e) => e.type)).toEqual(['directive', 'directive', 'say', 'directive']);
    expect(await frameHashes(recording, character)).toEqual(live);
  });
});

describe('recording from the API', () => {
  it('POST /api/record starts and stops a recording under the data dir; bad bodies and a second start are refused; the file replays', async () => {
    const server = await startServer({ port: 0, width: 128, height: 128, voice: 'off' });
    try {
      const record = (body: unknown, init: RequestInit = {}) =>
        fetch(`${server.url}/api/record`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
      expect(await fetch(`${server.url}/api/record`).then((r) => r.json())).toEqual({ recording: false });
      expect((await record({ action: 'stop' })).status).toBe(409);
      const started = await record({ action: 'start' });
      expect(started.status).toBe(200);
      expect(started.body.recording).toBe(true);
      const recordedFile = started.body.file as string;
      expect(path.dirname(recordedFile)).toBe(path.join(process.env.PERSONA_DATA_DIR!, 'recordings'));
      expect(path.basename(recordedFile)).toMatch(/^default-\d{4}-\d\d-\d\dT[\d-]+Z\.jsonl$/);
      const again = await record({ action: 'start' });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatch(/being recorded already, to .*; stop it first/);
      const bad = await record({ action: 'pause' });
      expect(bad.status).toBe(422);
      expect(bad.body.error).toMatch(/^invalid body: action: /);
      expect((await fetch(`${server.url}/api/record`, { method: 'PUT' })).headers.get('allow')).toBe('GET, POST, HEAD');
      expect(await fetch(`${server.url}/api/record`).then((r) => r.json())).toMatchObject({ recording: true, file: recordedFile });

      const chat = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'wave' }) });
      expect(chat.status).toBe(200);
      await sleep(800);
      const stopped = await record({ action: 'stop' });
      expect(stopped.status).toBe(200);
      expect(stopped.body).toMatchObject({ recording: false, file: recordedFile, truncated: false });
      expect(stopped.body.ticks).toBeGreaterThan(10);

      const { recording, character } = await loadRecording(recordedFile);
      expect(recording.entries.filter((e) => e.type === 'directive').map((e) => e.type === 'directive' && e.directive.action?.name)).toEqual(['wave']);
      const hashes = await frameHashes(recording, character);
      expect(hashes).toHaveLength(stopped.body.ticks as number);
    } finally {
      await server.close();
    }
  });
});
