/**
 * The persona as an MCP server (the official SDK's McpServer): tools to talk to her, direct her,
 * read her state and vocabulary and pick the character; resources with the vocabulary and the
 * character card. The same operations as the REST API (app/api/control.ts), over either transport:
 * stdio (`persona mcp`) or streamable HTTP (/mcp).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { GAZE_TARGETS } from '../../protocol/directive.js';
import type { ServedSession } from '../served-session.js';
import { ApiError } from '../api/http.js';
import { characterCard, chatTurn, sendDirective, vocabularyOf } from '../api/control.js';
import { ChatRequestSchema } from '../api/schemas.js';

/** Which session the tools drive, and how this transport changes the character. */
export interface McpTarget {
  served(): ServedSession;
  /** Makes `id` the character the tools drive; resolves with what happened, throws saying why not. */
  setCharacter(id: string): Promise<string>;
}

const VERSION = '0.1.0';

const text = (value: string, structured?: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text: value }],
  ...(structured ? { structuredContent: structured } : {}),
});

/** A failure the agent can act on, as a tool result (MCP tools report errors in-band). */
const failure = (error: unknown): CallToolResult => ({
  content: [{ type: 'text', text: error instanceof ApiError || error instanceof Error ? error.message : String(error) }],
  isError: true,
});

const json = (value: unknown) => JSON.stringify(value, null, 2);

export const createPersonaMcp = (target: McpTarget): McpServer => {
  const mcp = new McpServer({ name: 'persona-engine', version: VERSION }, { capabilities: { logging: {} } });

  mcp.registerTool(
    'say',
    {
      title: 'Say something to her',
      description:
        'Chat with the persona as a person in the UI would: she answers in words and acts it out ("wave twice and then look happy", "sit down", "how are you?"). Returns her reply and the directives it sent to the engine.',
      inputSchema: { text: ChatRequestSchema.shape.text },
    },
    async ({ text: line }) => {
      try {
        const turn = await chatTurn(target.served(), line, undefined, 'mcp');
        const acts = turn.directives.map((d) => JSON.stringify(d.directive)).join('\n');
        return text(`${turn.reply}${acts ? `\n\nDirectives sent:\n${acts}` : ''}${turn.notices.length ? `\n\nNotices: ${turn.notices.map((n) => n.text).join(' ')}` : ''}`, turn);
      } catch (error) {
        return failure(error);
      }
    },
  );

  mcp.registerTool(
    'act',
    {
      title: 'Direct her',
      description:
        'Send one Directive straight to the engine: an action, an expression, a gaze target and/or a line of dialogue. Names come from list_vocabulary (e.g. action "wave", expression "happy"). Says whether the action started or was refused, and why.',
      inputSchema: {
        action: z
          .object({
            name: z.string().describe('An action name from list_vocabulary, e.g. "wave", "sit_down", "stop".'),
            repeat: z.number().int().min(1).max(10).optional().describe('How many times its cycle plays.'),
            speed: z.number().min(0.25).max(4).optional().describe('Playback speed multiplier.'),
            queue: z.boolean().optional().describe('Wait for what runs instead of interrupting it.'),
          })
          .optional(),
        expression: z
          .object({
            name: z.string().describe('An expression name from list_vocabulary, e.g. "happy", "surprised".'),
            intensity: z.number().min(0).max(1).describe('0..1'),
            holdMs: z.number().int().min(0).max(600_000).optional().describe('How long it holds before easing back.'),
          })
          .optional(),
        gaze: z.enum(GAZE_TARGETS).optional().describe('Where she looks.'),
        dialogue: z.string().max(4000).optional().describe('A line shown as her subtitle.'),
      },
    },
    async (directive) => {
      try {
        const { directive: sent, outcome } = await sendDirective(target.served(), directive);
        const said =
          outcome?.type === 'action.started'
            ? `started ${outcome.action}`
            : outcome?.type === 'action.refused'
              ? `refused ${outcome.action}: ${outcome.reason}`
              : sent.action
                ? `queued ${sent.action.name}`
                : 'sent';
        return text(said, { directive: sent, outcome });
      } catch (error) {
        return failure(error);
      }
    },
  );

  mcp.registerTool(
    'get_state',
    {
      title: 'Her state now',
      description: 'Posture, which way she faces, the action playing, expression and intensity, gaze, the behaviour chart states, the action queue and the engine tick.',
      annotations: { readOnlyHint: true },
    },
    async () => {
      const state = target.served().session.state();
      return text(json(state), { ...state });
    },
  );

  mcp.registerTool(
    'list_vocabulary',
    {
      title: 'What she can do',
      description: "The character's actions (with the words she understands for each), expressions and gaze targets: the names act accepts.",
      annotations: { readOnlyHint: true },
    },
    async () => {
      const vocabulary = vocabularyOf(target.served().session.character);
      return text(json(vocabulary), vocabulary);
    },
  );

  mcp.registerTool(
    'set_character',
    {
      title: 'Choose the character',
      description: 'Switch to another character by id (aria, kai, mira, sleepy-aria, or an imported card\'s id). Says what changed, or why it cannot.',
      inputSchema: { id: z.string().min(1).max(64).describe('A character id.') },
    },
    async ({ id }) => {
      try {
        const said = await target.setCharacter(id);
        mcp.sendResourceListChanged();
        return text(said, { character: target.served().session.character.id });
      } catch (error) {
        return failure(error);
      }
    },
  );

  mcp.registerResource(
    'vocabulary',
    'persona://vocabulary',
    { title: "The character's vocabulary", description: 'Actions, expressions and gaze targets (JSON).', mimeType: 'application/json' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: json(vocabularyOf(target.served().session.character)) }] }),
  );

  mcp.registerResource(
    'character',
    'persona://character',
    { title: 'The character card', description: 'The character as a Character Card V2 (JSON), the engine\'s data under extensions["persona-engine"].', mimeType: 'application/json' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: json(characterCard(target.served().session.character)) }] }),
  );

  return mcp;
};
