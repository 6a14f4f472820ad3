/** Picks the interpreter the config names. The embedded one needs nothing; the LLMs need an endpoint, or the `llama` addition and a model file. */
import { AdditionMissing, isAdded } from '../protocol/additions.js';
import type { PersonaConfig } from '../protocol/persona-config.js';
import type { CharacterDefinition } from '../characters/types.js';
import { EmbeddedInterpreter } from './embedded-interpreter.js';
import type { Interpreter } from './interpreter.js';
import { LlamaInterpreter } from './llama-interpreter.js';
import { OpenAiInterpreter } from './openai-interpreter.js';

/** The LLM interpreter of `config`, or null for `embedded`. */
export const createLlmInterpreter = (character: CharacterDefinition, config: PersonaConfig): Interpreter | null => {
  if (config.provider === 'openai') return new OpenAiInterpreter(character, config.openai);
  if (config.provider === 'llama') {
    if (!isAdded('llama')) throw new AdditionMissing('llama'); // before the model: adding the runtime is the first step
    if (!config.llama.modelPath) throw new Error('provider "llama" needs a model: set PERSONA_LLAMA_MODEL (or --model) to a .gguf file');
    return new LlamaInterpreter(character, { ...config.llama, modelPath: config.llama.modelPath });
  }
  return null;
};

/** Any provider as an Interpreter (the embedded one included), for the CLI. */
export const createInterpreter = (character: CharacterDefinition, config: PersonaConfig): Interpreter =>
  createLlmInterpreter(character, config) ?? new EmbeddedInterpreter(character);
