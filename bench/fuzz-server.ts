/**
 * The server under fuzz, in a process of its own so that a crash is seen (the process exits) rather
 * than taking the fuzzer with it, and so that its memory is its own. Started by bench/fuzz.ts with
 * an IPC channel: it says `{ type: 'ready', url }`, and answers `{ type: 'memory' }` with its RSS
 * after a GC (when run with --expose-gc) and whether Object.prototype gained keys.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { PersonaConfigSchema } from '../protocol/persona-config.js';
import { startServer } from '../app/server.js';

const send = (message: unknown) => process.send?.(message);
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
/** Where the RSS is: V8's heap (committed), buffers outside it, and the kernel's split of anonymous and file pages. */
const memoryDetail = () => {
  const m = process.memoryUsage();
  const rollup: Record<string, number> = {};
  try {
    for (const line of readFileSync('/proc/self/smaps_rollup', 'utf8').split('\n')) {
      const match = /^(Rss|Anonymous|Pss_File|Pss_Anon):\s+(\d+) kB/.exec(line);
      if (match?.[1] && match[2]) rollup[match[1]] = Math.round(Number(match[2]) / 102.4) / 10;
    }
  } catch { /* not Linux */ }
  const threads = (() => { try { return readdirSync('/proc/self/task').length; } catch { return null; } })();
  const spaces: Record<string, number> = {};
  for (const space of getHeapSpaceStatistics()) if (space.space_size > 1048576) spaces[`${space.space_name}Mb`] = mb(space.space_size);
  return { heapTotalMb: mb(m.heapTotal), ...spaces, externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers), threads, ...rollup };
};

const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  width: 128,
  height: 128,
  // History on disk under the run's own folder, as a real server keeps it (an in-memory database
  // would count every accepted fuzz chat line as server memory).
  persona: PersonaConfigSchema.parse({ dataDir: process.env.PERSONA_DATA_DIR ?? ':memory:' }),
});

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    send({
      type: 'memory',
      rssMb: Math.round((process.memoryUsage().rss / 1048576) * 10) / 10,
      heapUsedMb: Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10,
      detail: memoryDetail(),
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
