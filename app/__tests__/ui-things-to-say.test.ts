/**
 * "Things to say" and the README a newcomer reads (issue 18, item 15): every line the page offers
 * is in the README and understood by every shipped character; the README lists every shipped
 * character, links only to files that exist, and cites no document outside the project.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { CHARACTERS } from '../../characters/index.js';
import { EmbeddedInterpreter } from '../../persona/embedded-interpreter.js';

const readme = readFileSync('README.md', 'utf8');
const page = readFileSync('renderer/index.html', 'utf8');
const suggestions = [...(/<nav id="suggestions"[^>]*>([\s\S]*?)<\/nav>/.exec(page)?.[1] ?? '').matchAll(/<button type="button">([^<]+)<\/button>/g)].map((m) => m[1]!);
const readmeSection = /## Things to say to her\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
const readmeLines = [...readmeSection.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('things to say', () => {
  it('the page offers them, and the README lists each', () => {
    expect(suggestions.length).toBeGreaterThanOrEqual(6);
    expect(readmeLines.length).toBeGreaterThanOrEqual(suggestions.length);
    for (const line of suggestions) expect(readmeLines, line).toContain(line);
  });

  it.each(CHARACTERS.map((c) => [c.id, c] as const))('%s understands every one of them', (_id, character) => {
    const interpreter = new EmbeddedInterpreter(character);
    for (const line of readmeLines) {
      const { reply } = interpreter.interpret(line);
      expect(character.lines.unknown ?? [], `${character.id}: "${line}" → "${reply}"`).not.toContain(reply);
      expect(reply, line).not.toMatch(/not sure what you mean|didn't catch that/i);
    }
  });
});

describe('the README', () => {
  it('names every shipped character', () => {
    for (const { id } of CHARACTERS) expect(readme, id).toContain(`\`${id}\``);
  });

  it('links only to files in the project, and cites no design document outside it', () => {
    for (const [, target] of readme.matchAll(/\]\(((?!https?:)[^)#]+)/g)) expect(existsSync(target!), target).toBe(true);
    expect(readme).not.toMatch(/DESIGN\.md/);
  });
});
