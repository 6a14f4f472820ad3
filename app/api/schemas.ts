/**
 * The REST API's bodies, as zod schemas: requests are validated with them, and the OpenAPI document
 * (openapi.ts) is generated from them. Limits come from where they are declared (the wire's chat
 * line, the Directive contract).
 */
import { z } from 'zod';
import { ClientMessageSchema, MAX_INBOUND_BYTES } from '../../protocol/wire.js';
import { DIRECTIVE_SOURCES, GAZE_TARGETS, directiveSchemaFor, type VocabularyNames } from '../../protocol/directive.js';
import type { EngineEvent, PersonaState } from '../../protocol/events.js';

/** Largest request body read, bytes: what the WebSocket takes in one message. */
export const MAX_BODY_BYTES = MAX_INBOUND_BYTES;

const chatText = ClientMessageSchema.options.find((o) => o.shape.type.value === 'chat')!.shape as { text: z.ZodString };

export const ChatRequestSchema = z
  .object({ text: chatText.text.meta({ description: 'What you say to her, as typed in the UI ("wave twice and then look happy").' }) })
  .strict()
  .meta({ id: 'ChatRequest' });

/**
 * A Directive as a program sends it: the contract of protocol/directive.ts, with `id` and `source`
 * optional (the server fills in `api-<n>` and `script`). Names are checked against the session's
 * character (GET /api/vocabulary lists them).
 */
export const directiveRequestSchemaFor = (vocabulary: VocabularyNames) =>
  directiveSchemaFor(vocabulary)
    .extend({
      id: z.string().min(1).max(64).optional().meta({ description: 'Your id for it; engine events about it carry it as directiveId. Default: api-<n>.' }),
      source: z.enum(DIRECTIVE_SOURCES).optional().meta({ description: 'Who asks. Default: script.' }),
    })
    .meta({ id: 'DirectiveRequest' });

/** The schema documented in OpenAPI: names as plain strings, since each session's character has its own. */
export const DocumentedDirectiveSchema = directiveRequestSchemaFor({ actions: [], expressions: [] });

export const PersonaStateSchema = z
  .object({
    character: z.string(),
    posture: z.string(),
    facing: z.enum(['camera', 'left', 'right', 'away']),
    action: z.string().meta({ description: 'The action playing now, "idle" when none.' }),
    expression: z.string(),
    intensity: z.number().min(0).max(1),
    gaze: z.string(),
    chart: z.array(z.string()).meta({ description: "The behaviour chart's active states, one path per region." }),
    queue: z.array(z.string()).meta({ description: 'Actions waiting behind the running one.' }),
    tick: z.number().int(),
  })
  .meta({ id: 'PersonaState' });

export const EngineEventSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('action.started'), action: z.string(), directiveId: z.string().optional(), at: z.number() }),
    z.object({ type: z.literal('action.finished'), action: z.string(), directiveId: z.string().optional(), at: z.number(), interrupted: z.boolean().optional() }),
    z.object({ type: z.literal('action.refused'), action: z.string(), reason: z.string(), directiveId: z.string().optional(), at: z.number() }),
    z.object({ type: z.literal('expression.changed'), expression: z.string(), intensity: z.number(), at: z.number() }),
  ])
  .meta({ id: 'EngineEvent' });

// The schemas and the engine's types must say the same thing (a compile error otherwise).
const sameState: [PersonaState, z.infer<typeof PersonaStateSchema>] = [{} as z.infer<typeof PersonaStateSchema>, {} as PersonaState];
const sameEvent: [EngineEvent, z.infer<typeof EngineEventSchema>] = [{} as z.infer<typeof EngineEventSchema>, {} as EngineEvent];
void sameState;
void sameEvent;

const SentDirectiveSchema = z.object({
  directive: z.record(z.string(), z.unknown()).meta({ description: 'The Directive as sent to the engine.' }),
  speculative: z.boolean().meta({ description: 'Started from the embedded reading before the LLM answered.' }),
});

export const ChatResultSchema = z
  .object({
    reply: z.string(),
    provider: z.string().meta({ description: 'Which interpreter answered: embedded, openai or llama.' }),
    directives: z.array(SentDirectiveSchema),
    notices: z.array(z.object({ level: z.enum(['info', 'warning']), text: z.string() })),
  })
  .meta({ id: 'ChatResult' });

export const DirectiveResultSchema = z
  .object({
    directive: z.record(z.string(), z.unknown()),
    outcome: EngineEventSchema.nullable().meta({
      description: 'The engine\'s first word on its action (started or refused), when it came within a few ticks; null for a directive without an action.',
    }),
  })
  .meta({ id: 'DirectiveResult' });

export const VocabularySchema = z
  .object({
    character: z.string(),
    actions: z.array(z.object({ name: z.string(), kind: z.string(), synonyms: z.array(z.string()) })),
    expressions: z.array(z.string()),
    gaze: z.array(z.enum(GAZE_TARGETS)),
  })
  .meta({ id: 'Vocabulary' });

/** A Character Card V2 (the SillyTavern format `persona import-card` reads), the engine's data under extensions. */
export const CharacterCardSchema = z
  .object({
    spec: z.literal('chara_card_v2'),
    spec_version: z.literal('2.0'),
    data: z.object({
      name: z.string(),
      description: z.string(),
      personality: z.string(),
      first_mes: z.string(),
      tags: z.array(z.string()),
      extensions: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'CharacterCard' });

export const ErrorSchema = z
  .object({
    error: z.string().meta({ description: 'What went wrong and what to do about it.' }),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'Each field that failed validation.' }),
  })
  .meta({ id: 'Error' });

/** `?session=NAME` on every session route: which of the server's sessions (the first when absent). */
export const SessionQuerySchema = z.object({
  session: z.string().optional().meta({ description: "One of the server's sessions (GET /api/health lists them); the first when absent." }),
});

export const ChatQuerySchema = SessionQuerySchema.extend({
  stream: z.enum(['0', '1']).optional().meta({ description: '1: answer as Server-Sent Events while the turn happens (same as Accept: text/event-stream).' }),
});

/** One zod failure as a line a person can act on: `text: Too big: expected string to have <=2000 characters`. */
export const describeIssues = (error: z.ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
