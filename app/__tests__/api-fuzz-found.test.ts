/**
 * What the API fuzz cases (bench/fuzz-api.ts) found, each reproduced on a real server before its fix.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, width: 64, height: 64, voice: 'off', persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
});

afterAll(async () => {
  await server?.close();
});

const post = (route: string, body: unknown) =>
  fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('API fuzz findings', () => {
  it('POST /api/record on a server that keeps its history in memory records under the data dir, not into a ":memory:" folder where it was started', async () => {
    const started = await post('/api/record', { action: 'start' });
    expect(started.status).toBe(200);
    const { file } = (await started.json()) as { file: string };
    const stopped = await post('/api/record', { action: 'stop' });
    expect(stopped.status).toBe(200);
    expect(path.isAbsolute(file), file).toBe(true);
    expect(file.startsWith(path.join(process.env.PERSONA_DATA_DIR!, 'recordings')), file).toBe(true);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(path.resolve(':memory:'))).toBe(false);
    await rm(file);
  });
});
