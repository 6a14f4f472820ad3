/**
 * The frame-source routes (issue 15): GET /api/sources lists the registry (config schemas as JSON
 * Schema) and the session's source status; POST /api/source switches the session's source at run
 * time. Loading happens off the tick; the answer comes at once (202, loading) or, with ?wait=1,
 * once the load has settled (200 ready, or 200 failed with the reason while the previous source shows).
 */
import { z } from 'zod';
import { SetSourceRequestSchema, SourceStatusSchema } from '../../protocol/frame-source.js';
import { describeSources } from '../../native/source-registry.js';
import { ApiError, readJson, readQuery, sendJson } from './http.js';
import type { Operation, Route } from './routes.js';
import { ErrorSchema } from './schemas.js';

const SourceQuerySchema = z.object({
  session: z.string().max(32).optional().describe('the session (default: the first)'),
  wait: z.enum(['0', '1']).optional().describe('1: answer once the load has settled'),
});

const noFrames = () => new ApiError(409, 'this session renders no frames');

export const SOURCE_ROUTES: Route[] = [
  {
    path: '/api/sources',
    operations: {
      GET: {
        summary: 'The frame sources (id, label, config schema as JSON Schema, model files, requirements) and where this session’s source stands',
        query: SourceQuerySchema.pick({ session: true }),
        responses: { 200: { description: '{ sources, status }' }, 401: { description: 'Missing or wrong bearer token', schema: ErrorSchema }, 404: { description: 'Unknown session', schema: ErrorSchema } },
        handle: ({ req, res, served }) => sendJson(req, res, 200, { sources: describeSources(), status: served.session.sourceStatus }),
      } satisfies Operation,
    },
  },
  {
    path: '/api/source',
    operations: {
      POST: {
        summary: 'Switch this session’s frame source at run time',
        description:
          'Loads the source off the tick (the current one keeps showing, progress in GET /api/sources); on failure the current source stays and `error` says why. A neural source that fails while running falls back to the puppet.',
        query: SourceQuerySchema,
        body: SetSourceRequestSchema,
        responses: {
          200: { description: 'The status once the load settled (?wait=1)', schema: SourceStatusSchema },
          202: { description: 'Loading has started', schema: SourceStatusSchema },
          401: { description: 'Missing or wrong bearer token', schema: ErrorSchema },
          404: { description: 'Unknown session', schema: ErrorSchema },
          409: { description: 'The session renders no frames', schema: ErrorSchema },
          422: { description: 'Unknown source id or settings that do not fit its schema', schema: ErrorSchema },
        },
        handle: async ({ req, res, url, served }) => {
          const query = readQuery(url, SourceQuerySchema);
          const body = await readJson(req, SetSourceRequestSchema);
          if (!served.session.sourceStatus) throw noFrames();
          let settled: Promise<unknown>;
          try {
            settled = served.session.setSource(body.id, body.config);
          } catch (error) {
            throw new ApiError(422, (error as Error).message);
          }
          if (query.wait === '1') await settled;
          sendJson(req, res, query.wait === '1' ? 200 : 202, served.session.sourceStatus);
        },
      } satisfies Operation,
    },
  },
];
