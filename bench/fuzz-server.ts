/**
 * The server under fuzz, in a process of its own so that a crash is seen (the process exits) rather
 * than taking the fuzzer with it, and so that its memory is its own. Started by bench/fuzz.ts with
 * an IPC channel: it says `{ type: 'ready', url }`, and answers `{ type: 'memory' }` with its RSS
 * after a GC (when run with --expose-gc) and whether Object.prototype gained keys.
 */
import { PersonaConfigSchema } from '../protocol/persona-config.js';
import { startServer } from '../app/server.js';

const send = (message: unknown) => process.send?.(message);

const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  width: 128,
  height: 128,
  persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }),
});

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    send({
      type: 'memory',
      rssMb: Math.round((process.memoryUsage().rss / 1048576) * 10) / 10,
      heapUsedMb: Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10,
      gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
      prototypeKeys: Object.getOwnPropertyNames(Object.prototype).length,
      clients: [...server.sessions.values()].reduce((n, s) => n + s.clientCount, 0),
      viewers: [...server.sessions.values()].reduce((n, s) => n + s.whep.viewerCount, 0),
    });
  }
  if (message?.type === 'close') {
    // Leave at once after closing: @roamhq/wrtc's finalizers can abort during Node's teardown (bin/persona.js).
    void server.close().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', url: server.url, pid: process.pid });
