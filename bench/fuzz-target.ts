/**
 * The real server (app/server.ts), run by bench/fuzz-server.ts in a child process on a loopback
 * port: started, asked for its memory, watched for an exit (a crash), restarted after one so the
 * run can go on and find more.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STDERR_LINES_KEPT = 200;

export interface ServerMemory {
  rssMb: number;
  heapUsedMb: number;
  /** Where the RSS is: V8's committed heap, buffers outside it, threads, and /proc's anonymous/file split (MB). */
  detail?: Record<string, number | null>;
  /** Whether the RSS was taken after a full GC (the child runs with --expose-gc). */
  gc: boolean;
  prototypeKeys: number;
  clients: number;
  viewers: number;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the server wrote to stderr before it went. */
  stderrTail: string[];
}

export class ServerUnderFuzz {
  url = '';
  port = 0;
  /** Set when the process left without being asked to. */
  exit: ServerExit | null = null;
  /** Called at once when the process leaves without being asked to. */
  onCrash: (() => void) | null = null;
  /** Every line the server wrote to stderr, counted by kind (first words), and the last ones kept. */
  readonly stderrKinds: Record<string, number> = {};
  private readonly stderrTail: string[] = [];
  private child: ChildProcess | null = null;
  private dataDir: string | undefined;
  private closing = false;
  private exitWaiters: (() => void)[] = [];

  /** Starts the server; resolves once it listens. */
  async start(): Promise<void> {
    this.exit = null;
    this.closing = false;
    const child = fork(path.join(root, 'bench/fuzz-server.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Recordings the API cases start (POST /api/record) go to a folder of this server's own, removed when it stops.
      env: { ...process.env, NODE_OPTIONS: '', PERSONA_DATA_DIR: (this.dataDir ??= mkdtempSync(path.join(os.tmpdir(), 'persona-fuzz-'))) },
    });
    this.child = child;
    let pending = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        this.stderrTail.push(line.slice(0, 500));
        if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
        const kind = line.replace(/\(session [^)]*\)/, '').split(':')[0]!.trim().slice(0, 60) || '(blank)';
        this.stderrKinds[kind] = (this.stderrKinds[kind] ?? 0) + 1;
      }
    });
    child.on('exit', (code, signal) => {
      if (!this.closing) {
        this.exit = { code, signal, stderrTail: this.stderrTail.slice(-40) };
        this.onCrash?.();
      }
      for (const wake of this.exitWaiters.splice(0)) wake();
    });
    const ready = await new Promise<{ url: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s; stderr: ${this.stderrTail.slice(-10).join('\n')}`)), 60_000);
      child.on('message', (m: { type?: string; url?: string }) => {
        if (m?.type === 'ready') {
          clearTimeout(timer);
          resolve(m as { url: string });
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited while starting (code ${code}, signal ${signal}): ${this.stderrTail.slice(-10).join('\n')}`));
      });
    });
    this.url = ready.url;
    this.port = Number(new URL(ready.url).port);
  }

  get alive(): boolean {
    return this.child !== null && this.exit === null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The server's memory after a GC; null when it is gone or does not answer within 10 s. */
  memory(): Promise<ServerMemory | null> {
    const child = this.child;
    if (!child || !this.alive) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), 10_000);
      const onMessage = (m: { type?: string }) => m?.type === 'memory' && done(m as unknown as ServerMemory);
      const done = (value: ServerMemory | null) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(value);
      };
      child.on('message', onMessage);
      child.send({ type: 'memory' });
    });
  }

  /** Resolves when the process has exited (at once if it has). */
  exited(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.closing = true;
    if (this.alive) {
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.exited();
      clearTimeout(timer);
    }
    this.child = null;
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = undefined;
  }
}
