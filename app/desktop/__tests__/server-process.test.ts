/**
 * The desktop app's server child, without Electron: a real `persona serve` started on a free loopback
 * port with a fresh token, killed and restarted with backoff, stopped with nothing left running — and
 * gone by itself when the app that started it dies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ServerProcess, describeStatus, isAlive, type ServerStatus } from '../server-process.js';

const root = path.resolve(import.meta.dirname, '../../..');
const PERSONA = path.join(root, 'bin/persona.js');
let running: ServerProcess | null = null;

const serverProcess = (args: string[], backoff = { firstMs: 300, maxMs: 1200, maxFailures: 4, stableMs: 60_000 }) => {
  const statuses: ServerStatus[] = [];
  running = new ServerProcess({ command: process.execPath, args: [PERSONA, 'serve', '--voice', 'off', ...args], backoff, onStatus: (s) => statuses.push(s) });
  return { server: running, statuses };
};

/** Resolves with the first status (from index `from` on) that matches. */
const next = async (statuses: ServerStatus[], from: number, state: ServerStatus['state'], ms = 20_000) => {
  const until = Date.now() + ms;
  for (;;) {
    const found = statuses.slice(from).find((s) => s.state === state);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no "${state}" status in ${ms} ms; saw ${statuses.map((s) => s.state).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const waitGone = async (pid: number, ms = 10_000) => {
  const until = Date.now() + ms;
  while (isAlive(pid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isAlive(pid);
};

afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('the desktop app’s server process', () => {
  it('starts persona serve on a free loopback port with a fresh token and is ready when /api/health answers', async () => {
    const { server, statuses } = serverProcess([]);
    const url = await server.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'ready']);
    const health = await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    // The token guards it, and is nowhere on the command line other users can read.
    expect((await fetch(`${url}/api/health`)).status).toBe(401);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8')).not.toContain(server.token);
    expect(server.pageUrl('/character')).toBe(`${url}/character?token=${server.token}`);
    // Another app start gets another token.
    expect(new ServerProcess({ command: 'node', args: [] }).token).not.toBe(server.token);
  });

  it('restarts a server that dies, waiting longer each time, on the same port, and says so', async () => {
    const { server, statuses } = serverProcess([]);
    const url = await server.start();
    const first = server.pid!;
    process.kill(first, 'SIGKILL');
    const restarting = (await next(statuses, 2, 'restarting')) as Extract<ServerStatus, { state: 'restarting' }>;
    expect(restarting.reason).toMatch(/killed by SIGKILL/);
    expect(restarting.inMs).toBe(300);
    expect(describeStatus(restarting)).toMatch(/^The server stopped \(killed by SIGKILL.*\); restarting in 1 s \(attempt 2\)$/);
    const ready = (await next(statuses, 3, 'ready')) as Extract<ServerStatus, { state: 'ready' }>;
    expect(ready.url).toBe(url); // open pages reconnect to the same address
    expect(ready.pid).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    expect((await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${server.token}` } })).status).toBe(200);
    // A second death soon after: twice the wait.
    const at = statuses.length;
    process.kill(ready.pid, 'SIGKILL');
    const again = (await next(statuses, at, 'restarting')) as Extract<ServerStatus, { state: 'restarting' }>;
    expect(again.inMs).toBe(600);
    expect(again.attempt).toBe(3);
    await next(statuses, at + 1, 'ready');
  });

  it('gives up on a server that cannot start, with its own words for why', async () => {
    const { server, statuses } = serverProcess(['--fps', '45'], { firstMs: 100, maxMs: 200, maxFailures: 2, stableMs: 60_000 });
    await expect(server.start()).rejects.toThrow(/could not be started: exit code 2: .*--fps.*\(2 tries\)/);
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'restarting', 'starting', 'failed']);
    expect(server.pid).toBeUndefined();
  });

  it('stop leaves no process and no listening port behind', async () => {
    const { server } = serverProcess([]);
    const url = await server.start();
    const pid = server.pid!;
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    expect(server.status.state).toBe('stopped');
  });

  it('a server whose app was killed (no chance to stop it) shuts itself down', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'hold-server.ts')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before starting the server`)));
    });
    const { pid, url } = JSON.parse(line) as { pid: number; url: string };
    expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitGone(pid), `server ${pid} outlived its parent`).toBe(true);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });
});
