/**
 * The desktop app's server: `persona serve` as a child process on a free loopback port with a fresh
 * token, ready once /api/health answers; restarted with backoff when it dies (and saying so); stopped
 * with SIGTERM, then SIGKILL, so quitting leaves no process behind. The child gets an IPC channel:
 * if this process dies without stopping it, the channel closes and the server shuts itself down.
 *
 * Plain Node: the Electron main process uses it, and tests drive it without Electron.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export type ServerStatus =
  | { state: 'starting'; attempt: number }
  | { state: 'ready'; url: string; pid: number }
  | { state: 'restarting'; reason: string; inMs: number; attempt: number }
  | { state: 'failed'; reason: string }
  | { state: 'stopped' };

export interface Backoff {
  /** Wait before the first restart; each further failure doubles it, up to maxMs. */
  firstMs: number;
  maxMs: number;
  /** Failures in a row before giving up (the tray's "Restart server" tries again). */
  maxFailures: number;
  /** Running this long counts as recovered: the next failure waits firstMs again. */
  stableMs: number;
}

export interface ServerProcessOptions {
  /** The Node executable that runs the server (Electron itself with ELECTRON_RUN_AS_NODE=1 in a packaged app). */
  command: string;
  /** Its arguments up to and including `serve` and any flags (host, port and token are added here). */
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Longest wait for /api/health after a start. */
  healthTimeoutMs?: number;
  backoff?: Partial<Backoff>;
  /** Longest wait after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  onStatus?(status: ServerStatus): void;
  /** The server's own output, line by line. */
  onLog?(line: string, stream: 'stdout' | 'stderr'): void;
}

const DEFAULT_BACKOFF: Backoff = { firstMs: 1000, maxMs: 30_000, maxFailures: 6, stableMs: 60_000 };
/** Lines of the server's error output kept to say why it stopped (stdout carries the URL with its token: never shown). */
const KEPT_LINES = 20;

/** A port nobody listens on at 127.0.0.1 right now (the OS picks it). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** Is a process with this id still there? */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The status in words, for the loading view and the tray. */
export const describeStatus = (status: ServerStatus): string => {
  switch (status.state) {
    case 'starting':
      return status.attempt > 1 ? `Starting the persona server again (attempt ${status.attempt})…` : 'Starting the persona server…';
    case 'ready':
      return `Server running at ${status.url}`;
    case 'restarting':
      return `The server stopped (${status.reason}); restarting in ${Math.ceil(status.inMs / 1000)} s (attempt ${status.attempt})`;
    case 'failed':
      return `The server could not be started: ${status.reason}. Use "Restart server" in the tray menu to try again.`;
    case 'stopped':
      return 'Server stopped';
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ServerProcess {
  /** Fresh for each app start; kept across restarts so the open pages' addresses stay valid. */
  readonly token = randomBytes(24).toString('base64url');
  private readonly backoff: Backoff;
  private child: ChildProcess | null = null;
  private port = 0;
  private failures = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private readonly recent: string[] = [];
  private current: ServerStatus = { state: 'stopped' };
  /** Whether the last start reached health (then a restart keeps its port). */
  private wasReady = false;
  private readonly waiters = new Set<(status: ServerStatus) => void>();

  constructor(private readonly options: ServerProcessOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get status(): ServerStatus {
    return this.current;
  }

  /** The running child's process id (tests look for orphans with it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The server's address with its token: what the windows load. */
  pageUrl(path = '/', query: Record<string, string> = {}): string {
    const status = this.current;
    if (status.state !== 'ready') throw new Error(`the server is not ready (${status.state})`);
    return `${status.url}${path}?${new URLSearchParams({ ...query, token: this.token })}`;
  }

  /** Starts the server and resolves once it is healthy; rejects when it gives up (the status says why). */
  start(): Promise<string> {
    this.stopping = false;
    this.failures = 0;
    return new Promise((resolve, reject) => {
      const listener = (status: ServerStatus) => {
        if (status.state === 'ready') resolve(status.url);
        if (status.state === 'failed' || status.state === 'stopped') reject(new Error(describeStatus(status)));
        if (status.state !== 'starting' && status.state !== 'restarting') this.waiters.delete(listener);
      };
      this.waiters.add(listener);
      void this.launch();
    });
  }

  /** Stops the running server (if any) and starts it again, e.g. with other arguments. */
  async restart(args?: string[]): Promise<string> {
    await this.stop();
    if (args) this.options.args = args;
    return this.start();
  }

  /** SIGTERM, then SIGKILL after stopTimeoutMs; resolves when the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.restartTimer = this.stableTimer = null;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 5000);
      await exited;
      clearTimeout(killer);
    }
    this.child = null;
    this.setStatus({ state: 'stopped' });
  }

  private setStatus(status: ServerStatus): void {
    this.current = status;
    for (const waiter of [...this.waiters]) waiter(status);
    this.options.onStatus?.(status);
  }

  private async launch(): Promise<void> {
    const attempt = this.failures + 1;
    this.setStatus({ state: 'starting', attempt });
    // The same port again after a crash, so open pages reconnect by themselves; a new one if that start failed.
    if (!this.port || !this.wasReady) this.port = await freePort();
    this.wasReady = false;
    const args = [...this.options.args, '--host', '127.0.0.1', '--port', String(this.port)];
    // The token travels in the environment, not the command line, which every user of the machine can read (ps).
    const env = { ...(this.options.env ?? process.env), PERSONA_TOKEN: this.token };
    const child = spawn(this.options.command, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    this.recent.length = 0;
    for (const [stream, name] of [[child.stdout!, 'stdout'], [child.stderr!, 'stderr']] as const) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) this.log(line, name);
      });
    }
    let exited = false;
    child.once('error', (error) => {
      this.log(`could not run ${this.options.command}: ${error.message}`, 'stderr');
      exited = true;
      this.onExit(child, null, null, error.message);
    });
    child.once('exit', (code, signal) => {
      exited = true;
      this.onExit(child, code, signal);
    });
    const url = `http://127.0.0.1:${this.port}`;
    const deadline = Date.now() + (this.options.healthTimeoutMs ?? 30_000);
    while (!exited && !this.stopping && this.child === child) {
      if (await this.healthy(url)) {
        this.wasReady = true;
        this.setStatus({ state: 'ready', url, pid: child.pid! });
        this.stableTimer = setTimeout(() => (this.failures = 0), this.backoff.stableMs);
        return;
      }
      if (Date.now() > deadline) {
        this.log(`no answer from ${url}/api/health within ${this.options.healthTimeoutMs ?? 30_000} ms`, 'stderr');
        child.kill('SIGKILL'); // its exit handler schedules the restart
        return;
      }
      await sleep(100);
    }
  }

  private async healthy(url: string): Promise<boolean> {
    try {
      const response = await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  private log(line: string, stream: 'stdout' | 'stderr'): void {
    if (stream === 'stderr' && line.trim()) this.recent.push(line);
    if (this.recent.length > KEPT_LINES) this.recent.shift();
    this.options.onLog?.(line, stream);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: string): void {
    if (this.child !== child || this.stopping) return;
    this.child = null;
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.failures++;
    // Killed by a signal, it said nothing about why; exiting by itself, its last error line says it.
    const lastWords = signal ? undefined : ([...this.recent].reverse().find((line) => /error|cannot|could not|must|failed/i.test(line)) ?? this.recent.at(-1));
    const how = error ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
    const reason = lastWords ? `${how}: ${lastWords.trim().slice(0, 300)}` : how;
    if (this.failures >= this.backoff.maxFailures) {
      this.setStatus({ state: 'failed', reason: `${reason} (${this.failures} tries)` });
      return;
    }
    const inMs = Math.min(this.backoff.firstMs * 2 ** (this.failures - 1), this.backoff.maxMs);
    this.setStatus({ state: 'restarting', reason, inMs, attempt: this.failures + 1 });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.launch();
    }, inMs);
  }
}
