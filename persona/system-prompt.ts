/**
 * The system prompt an LLM gets each turn: who the character is, what it can do (the vocabulary),
 * what it is doing now, what the engine refused last turn, and the JSON it must answer with.
 */
import type { CharacterDefinition } from '../characters/types.js';
import { actionNames, expressionNames } from '../characters/vocabulary.js';
import { GAZE_TARGETS } from '../protocol/directive.js';

/** What the character is doing now, as the engine last reported it. */
export interface CharacterStateForPrompt {
  posture: string;
  action: string;
  expression: string;
  intensity: number;
}

export const buildSystemPrompt = (character: CharacterDefinition, state?: CharacterStateForPrompt, refusals: readonly string[] = []): string => {
  const lines = [
    `You are ${character.name}, a character shown on screen as a live animated figure. Stay in character.`,
    character.personality,
    '',
    'Answer every message with ONE JSON object and nothing else:',
    '{"action": {"name": <action>, "repeat": <1-10>}, "expression": {"name": <expression>, "intensity": <0-1>}, "gaze": <gaze>, "dialogue": <what you say>}',
    'Put "action" first. Leave out "action", "expression" or "gaze" when nothing fits; "dialogue" is always there, short (one or two sentences).',
    `Actions you can do (no others exist): ${actionNames(character.vocabulary).join(', ')}.`,
    `Expressions: ${expressionNames(character.vocabulary).join(', ')}. Gaze: ${GAZE_TARGETS.join(', ')}.`,
    'When asked for something not in these lists, say kindly that you cannot do it, and do not invent an action.',
  ];
  if (state) {
    const face = state.expression === 'neutral' ? 'neutral' : `${state.expression} (${Math.round(state.intensity * 100)}%)`;
    lines.push('', `Right now you are ${state.posture}, doing: ${state.action}; your face is ${face}.`);
  }
  if (refusals.length) {
    lines.push('', 'Since your last reply the body refused these; tell the user kindly if it matters:', ...refusals.map((r) => `- ${r}`));
  }
  return lines.join('\n');
};
