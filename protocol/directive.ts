/**
 * The Directive: the only thing the conversation layer hands the video layer.
 * Names are checked against a character's vocabulary by `directiveSchemaFor`; anything else is rejected.
 */
import { z } from 'zod';

export const GAZE_TARGETS = ['camera', 'user', 'left', 'right', 'up', 'down', 'away'] as const;
export type GazeTarget = (typeof GAZE_TARGETS)[number];

export const DIRECTIVE_SOURCES = ['user', 'llm', 'behaviour', 'script'] as const;

/** The names a character can act out; the schema is built from them. */
export interface VocabularyNames {
  actions: readonly string[];
  expressions: readonly string[];
}

const nameEnum = (names: readonly string[], what: string) =>
  z.string().superRefine((name, ctx) => {
    if (!names.includes(name)) ctx.addIssue({ code: 'custom', message: `unknown ${what} "${name}"; known: ${names.join(', ')}` });
  });

export const directiveSchemaFor = (vocabulary: VocabularyNames) =>
  z
    .object({
      id: z.string().min(1).max(64),
      source: z.enum(DIRECTIVE_SOURCES),
      action: z
        .object({
          name: nameEnum(vocabulary.actions, 'action'),
          /** How many times the action's cycle plays (wave twice → 2). */
          repeat: z.number().int().min(1).max(10).optional(),
          /** Playback speed multiplier. */
          speed: z.number().min(0.25).max(4).optional(),
          target: z.string().max(64).optional(),
          /** true: wait for what runs instead of interrupting it (the later steps of "do X and then Y"). */
          queue: z.boolean().optional(),
        })
        .strict()
        .optional(),
      expression: z
        .object({
          name: nameEnum(vocabulary.expressions, 'expression'),
          intensity: z.number().min(0).max(1),
          /** How long the expression holds before easing back to neutral. */
          holdMs: z.number().int().min(0).max(600_000).optional(),
        })
        .strict()
        .optional(),
      gaze: z.enum(GAZE_TARGETS).optional(),
      dialogue: z.string().max(4000).optional(),
    })
    .strict();

export type Directive = z.infer<ReturnType<typeof directiveSchemaFor>>;

/** The JSON Schema an LLM's structured output must follow for this vocabulary. */
export const directiveJsonSchema = (vocabulary: VocabularyNames) => {
  const forLlm = z.object({
    action: z.object({ name: z.enum(vocabulary.actions as [string, ...string[]]), repeat: z.number().int().min(1).max(10) }).optional(),
    expression: z.object({ name: z.enum(vocabulary.expressions as [string, ...string[]]), intensity: z.number().min(0).max(1) }).optional(),
    gaze: z.enum(GAZE_TARGETS).optional(),
    /** Bounded so a local model's grammar cannot run on forever. */
    dialogue: z.string().max(300),
  });
  return z.toJSONSchema(forLlm);
};
