/** Trace export from a running server: valid Chrome Trace Event JSON with the events a profiler user looks for. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from '../server.js';
import { TestClient } from './ws-client.js';

let server: RunningServer;
let client: TestClient;

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

beforeAll(async () => {
  server = await startServer({ port: 0, width: 256, height: 256 });
  client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
  client.send({ type: 'chat', text: 'wave' });
  await new Promise((r) => setTimeout(r, 1500)); // let ticks, fills and sends accumulate
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

const validate = (trace: { traceEvents: TraceEvent[] }) => {
  expect(Array.isArray(trace.traceEvents)).toBe(true);
  for (const e of trace.traceEvents) {
    expect(typeof e.name).toBe('string');
    expect(['X', 'M', 'C']).toContain(e.ph);
    expect(Number.isInteger(e.ts)).toBe(true);
    expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
    if (e.ph === 'X') expect(e.dur! >= 0 && Number.isInteger(e.dur)).toBe(true);
  }
};

describe('trace export', () => {
  it('GET /api/trace gives Trace Event JSON with ticks, every system, native fills, sends and thread names', async () => {
    const response = await fetch(`${server.url}/api/trace?seconds=5`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="persona-trace-\d+\.json"/);
    const trace = (await response.json()) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    validate(trace);
    const names = new Set(trace.traceEvents.map((e) => e.name));
    for (const name of ['tick', 'apply-directives', 'fire-behaviour-timers', 'ease-pose', 'submit-frames', 'publish-state', 'puppet fill', 'queue wait', 'encode + send'])
      expect(names, name).toContain(name);
    const threads = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(threads).toEqual(expect.arrayContaining(['engine tick (JS)', 'native fill (worker)', 'preview send']));
    const ticks = trace.traceEvents.filter((e) => e.name === 'tick');
    expect(ticks.length).toBeGreaterThan(30); // ~1.5 s at 30 Hz
    // Systems sit inside their tick, one after another.
    const first = ticks[0]!;
    const inside = trace.traceEvents.filter((e) => e.tid === first.tid && e.name !== 'tick' && e.ts >= first.ts && e.ts <= first.ts + first.dur!);
    expect(inside.length).toBeGreaterThanOrEqual(8);
  });

  it('refuses a window it cannot cover, saying what is allowed', async () => {
    const response = await fetch(`${server.url}/api/trace?seconds=600`);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/seconds must be in \(0, 60\]/);
  });

  it('persona trace --seconds N --out FILE saves it from the running server', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'persona-trace-')), 'trace.json');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/persona.js', 'trace', '--seconds', '2', '--out', out, '--url', server.url], { timeout: 20_000 });
    expect(stdout).toMatch(/wrote .*trace\.json: \d+ trace events/);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    validate(trace);
    expect(trace.traceEvents.some((e: TraceEvent) => e.name === 'tick')).toBe(true);
  });
});
