/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod 4's
 * z.toJSONSchema, JSON Schema 2020-12 — the dialect OpenAPI 3.1 uses). Schemas with an `id` become
 * components; the rest are inlined.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ROUTES, type Operation, type Route } from './routes.js';

const STATUS_TEXT: Record<number, string> = { 200: 'OK' };

const packageVersion = () => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const buildOpenApi = (routes: readonly Route[] = ROUTES, version = packageVersion()) => {
  const components: Record<string, unknown> = {};
  /** A schema as JSON Schema, its named parts moved to components. */
  const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
    const json = JSON.parse(
      JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' })).replaceAll('"#/$defs/', '"#/components/schemas/'),
    ) as Record<string, unknown> & { $defs?: Record<string, unknown> };
    const { $defs, $schema: _, ...rest } = json;
    Object.assign(components, $defs);
    return rest;
  };
  const operation = (path: string, method: string, op: Operation) => ({
    operationId: `${method.toLowerCase()}${path.replace(/[^a-z0-9]+(.)?/gi, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    parameters: op.query
      ? Object.entries(op.query.shape).map(([name, schema]) => {
          const { description, ...rest } = toSchema(schema as z.ZodType, 'input');
          return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest };
        })
      : [],
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(op.body, 'input') } } } } : {}),
    responses: Object.fromEntries(
      Object.entries(op.responses).map(([status, r]) => [
        status,
        {
          description: r.description || STATUS_TEXT[Number(status)] || '',
          ...(r.stream
            ? { content: { 'text/event-stream': { schema: { type: 'string' } } } }
            : r.schema
              ? { content: { 'application/json': { schema: toSchema(r.schema, 'output') } } }
              : {}),
        },
      ]),
    ),
  });
  const paths = Object.fromEntries(
    routes.map((route) => [route.path, Object.fromEntries(Object.entries(route.operations).map(([method, op]) => [method.toLowerCase(), operation(route.path, method, op)]))]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Persona engine',
      version,
      description:
        'Drive a live persona from your program: chat, directives, state, vocabulary and events per session (`?session=NAME`; the first session without it). With a token (`--token`), send `Authorization: Bearer T` or `?token=T`. The WebSocket (/ws) and its messages are described in docs/api/README.md.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Needed when the server was started with --token (always beyond loopback).' } },
    },
    security: [{}, { bearer: [] }],
    paths,
  };
};
