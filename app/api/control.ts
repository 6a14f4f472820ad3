/**
 * What a program can do to a session, shared by the REST routes and the MCP tools: a chat turn (the
 * UI's own path), a directive, the state, the vocabulary and the character card.
 */
import type { ChatVia, ServerMessage } from '../../protocol/wire.js';
import type { Directive } from '../../protocol/directive.js';
import type { EngineEvent } from '../../protocol/events.js';
import { actionNames, expressionNames } from '../../characters/vocabulary.js';
import type { CharacterDefinition } from '../../characters/types.js';
import { RateLimit, type ServedSession } from '../served-session.js';
import { ApiError } from './http.js';
import { describeIssues, directiveRequestSchemaFor, type ChatResultSchema, type VocabularySchema, type CharacterCardSchema } from './schemas.js';
import type { z } from 'zod';

/** Chat lines a session takes from programs (REST and MCP together): as many as one WebSocket client may send. */
const PROGRAM_CHAT_BURST = 10;
const PROGRAM_CHAT_PER_SECOND = 5;
/** How long a directive's answer waits for the engine to start or refuse its action (a few ticks). */
const OUTCOME_WAIT_MS = 400;

const chatLimits = new WeakMap<ServedSession, RateLimit>();
const directiveSchemas = new WeakMap<ServedSession, ReturnType<typeof directiveRequestSchemaFor>>();
let directiveCount = 0;

export type ChatResult = z.infer<typeof ChatResultSchema>;

/**
 * One chat turn through the session's conversation, exactly as a line typed in the UI; `onMessage`
 * hears it as it happens (the streamed reply); the session's pages show the line marked with `via`.
 * Resolves with the whole turn. 429 past the rate limit.
 */
export const chatTurn = async (served: ServedSession, text: string, onMessage?: (message: ServerMessage) => void, via: ChatVia = 'api'): Promise<ChatResult> => {
  let limit = chatLimits.get(served);
  if (!limit) chatLimits.set(served, (limit = new RateLimit(PROGRAM_CHAT_BURST, PROGRAM_CHAT_PER_SECOND)));
  if (!limit.take()) {
    throw new ApiError(429, `too many chat lines: programs may send ${PROGRAM_CHAT_PER_SECOND} a second to a session (bursts of ${PROGRAM_CHAT_BURST}); wait and send again`, undefined, { 'retry-after': '1' });
  }
  const result: ChatResult = { reply: '', provider: served.chat.conversation.provider, directives: [], notices: [] };
  try {
    await served.chatLine(text, (message) => {
      if (message.type === 'directive') result.directives.push({ directive: message.directive, speculative: message.speculative });
      else if (message.type === 'notice') result.notices.push({ level: message.level, text: message.text });
      else if (message.type === 'reply') {
        result.reply = message.text;
        result.provider = message.provider ?? result.provider;
      }
      onMessage?.(message);
    }, via);
  } catch (error) {
    throw new ApiError(422, (error as Error).message); // the conversation refused the line and said why
  }
  return result;
};

/**
 * Validates a directive against the session's character (422 naming each bad field otherwise),
 * queues it, and waits a few ticks for the engine to start or refuse its action.
 */
export const sendDirective = async (served: ServedSession, body: unknown): Promise<{ directive: Directive; outcome: EngineEvent | null }> => {
  let schema = directiveSchemas.get(served);
  if (!schema) {
    const { vocabulary } = served.session.character;
    directiveSchemas.set(served, (schema = directiveRequestSchemaFor({ actions: actionNames(vocabulary), expressions: expressionNames(vocabulary) })));
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ApiError(422, `invalid directive: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const { id, source, ...rest } = parsed.data;
  if (!rest.action && !rest.expression && !rest.gaze && rest.dialogue === undefined) {
    throw new ApiError(422, 'invalid directive: it asks for nothing; give at least one of action, expression, gaze, dialogue (e.g. {"action":{"name":"wave"}})', [
      { path: '(body)', message: 'needs action, expression, gaze or dialogue' },
    ]);
  }
  const wanted = { id: id ?? `api-${++directiveCount}`, source: source ?? 'script', ...rest };
  const outcome = rest.action ? waitForOutcome(served, wanted.id) : Promise.resolve(null);
  let directive: Directive;
  try {
    directive = served.session.submit(wanted);
  } catch (error) {
    throw new ApiError(422, (error as Error).message);
  }
  return { directive, outcome: await outcome };
};

const waitForOutcome = (served: ServedSession, directiveId: string) =>
  new Promise<EngineEvent | null>((resolve) => {
    const done = (event: EngineEvent | null) => {
      clearTimeout(timer);
      off();
      resolve(event);
    };
    const off = served.session.onEvent((event) => {
      if ((event.type === 'action.started' || event.type === 'action.refused') && event.directiveId === directiveId) done(event);
    });
    const timer = setTimeout(() => done(null), OUTCOME_WAIT_MS);
  });

export const vocabularyOf = (character: CharacterDefinition): z.infer<typeof VocabularySchema> => ({
  character: character.id,
  actions: character.vocabulary.actions.map((a) => ({ name: a.name, kind: a.kind, synonyms: [...a.synonyms] })),
  expressions: expressionNames(character.vocabulary),
  gaze: [...character.vocabulary.gaze] as z.infer<typeof VocabularySchema>['gaze'],
});

/** The character as a Character Card V2, the format `persona import-card` reads; the engine's data under extensions. */
export const characterCard = (character: CharacterDefinition): z.infer<typeof CharacterCardSchema> => ({
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: {
    name: character.name,
    description: character.personality,
    personality: character.personality,
    first_mes: (character.lines.greeting?.[0] ?? '').replaceAll('{name}', character.name),
    tags: ['persona-engine'],
    extensions: {
      'persona-engine': { id: character.id, look: character.look, baseline: character.baseline, voice: character.voice ?? null, vocabulary: vocabularyOf(character) },
    },
  },
});
