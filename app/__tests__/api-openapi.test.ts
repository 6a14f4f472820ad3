/**
 * The OpenAPI document against the server that serves it: every documented path and method is
 * answered (not 404/405), every route in the server's source is documented, and what the routes
 * really answer fits the documented schemas (checked with a JSON Schema validator, not with zod).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object> };
}

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let server: RunningServer;
let doc: Doc;

beforeAll(async () => {
  server = await startServer({ port: 0, width: 64, height: 64, voice: 'off', persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
  const res = await fetch(`${server.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
});

afterAll(async () => {
  await server?.close();
});

/** A body that gets past the method and content checks of each documented POST. */
const SAMPLE_BODIES: Record<string, unknown> = {
  '/api/chat': { text: 'hi' },
  '/api/directives': { gaze: 'camera' },
  '/mcp': {},
};

/** Where the documented schema of `status` for path+method lives, made self-contained for the validator. */
const validatorFor = (pathName: string, method: string, status: number) => {
  const schema = doc.paths[pathName]![method]!.responses[String(status)]!.content!['application/json']!.schema;
  const selfContained = JSON.parse(JSON.stringify({ ...schema, $defs: doc.components.schemas }).replaceAll('"#/components/schemas/', '"#/$defs/'));
  return new AjvJsonSchemaValidator().getValidator(selfContained);
};

const fits = async (res: Response, pathName: string, method: string) => {
  const body = await res.json();
  const result = validatorFor(pathName, method, res.status)(body);
  expect(result.errorMessage, `${method.toUpperCase()} ${pathName} ${res.status}: ${JSON.stringify(body).slice(0, 300)}`).toBeUndefined();
};

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with every schema reference resolved', () => {
    expect(doc.openapi).toBe('3.1.0');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').at(-1)!], ref).toBeDefined();
    }
  });

  it('documents only what the server answers: no documented path and method gets 404 or 405', async () => {
    const answered: string[] = [];
    for (const [pathName, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) {
        const controller = new AbortController();
        const body = method === 'post' ? JSON.stringify(SAMPLE_BODIES[pathName] ?? {}) : undefined;
        const res = await fetch(`${server.url}${pathName}`, {
          method: method.toUpperCase(),
          headers: body ? { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } : {},
          body,
          signal: controller.signal,
        });
        controller.abort(); // event streams stay open otherwise
        expect([404, 405], `${method.toUpperCase()} ${pathName} answered ${res.status}`).not.toContain(res.status);
        answered.push(`${method} ${pathName}`);
      }
    }
    expect(answered).toEqual(expect.arrayContaining(['post /api/chat', 'post /api/directives', 'get /api/state', 'get /api/vocabulary', 'get /api/events', 'get /api/openapi.json', 'post /mcp']));
  });

  it('documents every route in the server\'s source, and methods it does not document get 405', async () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) {
          if (name !== '__tests__' && name !== 'desktop') walk(file);
        } else if (file.endsWith('.ts')) sources.push(readFileSync(file, 'utf8'));
      }
    };
    walk(appDir);
    // Every '/api/…' or '/mcp' path the server compares a request with.
    const inSource = new Set(sources.flatMap((text) => [...text.matchAll(/['"`](\/api\/[a-z0-9/._-]+|\/mcp)['"`]/gi)].map((m) => m[1]!)));
    expect(inSource.size).toBeGreaterThan(8);
    for (const route of inSource) expect(Object.keys(doc.paths), `${route} is in app/ but not in the OpenAPI document`).toContain(route);
    // And what is not documented is not answered.
    expect((await fetch(`${server.url}/api/undocumented`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/state`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${server.url}/api/health`, { method: 'POST' })).status).toBe(405);
  });

  it('describes what the routes really answer', async () => {
    await fits(await fetch(`${server.url}/api/state`), '/api/state', 'get');
    await fits(await fetch(`${server.url}/api/vocabulary`), '/api/vocabulary', 'get');
    await fits(await fetch(`${server.url}/api/character`), '/api/character', 'get');
    const post = (p: string, body: unknown) => fetch(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await fits(await post('/api/chat', { text: 'wave' }), '/api/chat', 'post');
    await fits(await post('/api/directives', { action: { name: 'nod' } }), '/api/directives', 'post');
    const bad = await post('/api/directives', { action: { name: 'fly' } });
    expect(bad.status).toBe(422);
    await fits(bad, '/api/directives', 'post');
    const unknown = await fetch(`${server.url}/api/state?session=nobody`);
    expect(unknown.status).toBe(404);
    await fits(unknown, '/api/state', 'get');
    // The request schema the document gives for a chat line refuses what the server refuses.
    const chatBody = JSON.parse(
      JSON.stringify({ ...(doc.paths['/api/chat']!.post!.requestBody as { content: Record<string, { schema: object }> }).content['application/json']!.schema, $defs: doc.components.schemas }).replaceAll(
        '"#/components/schemas/',
        '"#/$defs/',
      ),
    );
    const check = new AjvJsonSchemaValidator().getValidator(chatBody);
    expect(check({ text: 'wave' }).valid).toBe(true);
    expect(check({ text: '' }).valid).toBe(false);
    expect(check({ text: 'x'.repeat(2001) }).valid).toBe(false);
    expect(check({ text: 'wave', extra: 1 }).valid).toBe(false);
  });
});
