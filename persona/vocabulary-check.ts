/**
 * Nothing an LLM emits reaches the engine unchecked: each name is looked up in the character's
 * vocabulary; an unknown one is mapped to the nearest known name (and reported) when it is close
 * enough to be a slip ("waving", "sit-down", "smile"), and dropped (and reported) otherwise.
 */
import { GAZE_TARGETS, directiveSchemaFor, type Directive, type GazeTarget } from '../protocol/directive.js';
import type { CharacterDefinition } from '../characters/types.js';
import { actionNames, expressionNames } from '../characters/vocabulary.js';
import type { VocabularyNotice } from './interpreter.js';

const levenshtein = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
};

interface Entry {
  name: string;
  synonyms: readonly string[];
}

/** The known name an LLM most likely meant, or undefined when none is close. */
export const nearestName = (asked: string, entries: readonly Entry[]): string | undefined => {
  const wanted = asked.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const spaced = wanted.replace(/_/g, ' ');
  for (const e of entries) if (e.name === wanted) return e.name;
  for (const e of entries) if (e.synonyms.includes(spaced)) return e.name;
  let best: { name: string; distance: number } | undefined;
  for (const e of entries) {
    const distance = levenshtein(wanted, e.name);
    if (!best || distance < best.distance) best = { name: e.name, distance };
  }
  // A slip of one or two letters in a name of some length; "rm_rf" is nobody's typo for "wave".
  return best && best.distance <= Math.min(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
};

export interface CheckedDirective {
  /** Undefined when nothing usable was left. */
  directive?: Directive;
  notices: VocabularyNotice[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clamp = (v: unknown, lo: number, hi: number, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback);

export class VocabularyCheck {
  private readonly schema: ReturnType<typeof directiveSchemaFor>;

  constructor(private readonly character: CharacterDefinition) {
    this.schema = directiveSchemaFor({ actions: actionNames(character.vocabulary), expressions: expressionNames(character.vocabulary) });
  }

  /** Turns the fields an LLM wrote (`action`, `expression`, `gaze`; dialogue stays apart) into a valid Directive. */
  check(fields: Record<string, unknown>, id: string): CheckedDirective {
    const notices: VocabularyNotice[] = [];
    const directive: Directive = { id, source: 'llm' };
    const { actions, expressions } = this.character.vocabulary;
    if (fields.action !== undefined && fields.action !== null) {
      const raw = isRecord(fields.action) ? fields.action : { name: fields.action };
      const asked = String(raw.name ?? '');
      const name = nearestName(asked, actions);
      if (!name) notices.push({ type: 'dropped', field: 'action', name: asked, reason: `"${asked}" is not in ${this.character.name}'s vocabulary` });
      else {
        if (name !== asked) notices.push({ type: 'mapped', field: 'action', from: asked, to: name });
        directive.action = { name, ...(raw.repeat !== undefined && { repeat: Math.round(clamp(raw.repeat, 1, 10, 1)) }) };
      }
    }
    if (fields.expression !== undefined && fields.expression !== null) {
      const raw = isRecord(fields.expression) ? fields.expression : { name: fields.expression };
      const asked = String(raw.name ?? '');
      const name = nearestName(asked, expressions);
      if (!name) notices.push({ type: 'dropped', field: 'expression', name: asked, reason: `"${asked}" is not an expression ${this.character.name} has` });
      else {
        if (name !== asked) notices.push({ type: 'mapped', field: 'expression', from: asked, to: name });
        directive.expression = { name, intensity: clamp(raw.intensity, 0, 1, 0.8) };
      }
    }
    if (fields.gaze !== undefined && fields.gaze !== null) {
      const gaze = String(fields.gaze);
      if ((GAZE_TARGETS as readonly string[]).includes(gaze)) directive.gaze = gaze as GazeTarget;
      else notices.push({ type: 'dropped', field: 'gaze', name: gaze, reason: `gaze must be one of ${GAZE_TARGETS.join(', ')}` });
    }
    if (!directive.action && !directive.expression && !directive.gaze) return { notices };
    const parsed = this.schema.safeParse(directive);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      notices.push({ type: 'dropped', field: 'directive', name: id, reason: `${issue?.path.join('.')}: ${issue?.message}` });
      return { notices };
    }
    return { directive: parsed.data, notices };
  }
}
