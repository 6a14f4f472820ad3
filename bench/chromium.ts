/** Debian's Chromium driven by playwright-core (browser tests and benchmarks), with the flags DESIGN.md §11 fixes for headless runs here. */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.PERSONA_CHROMIUM ?? '/usr/bin/chromium';

export const launchChromium = async (): Promise<BrowserContext> => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` or set PERSONA_CHROMIUM`);
  return chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'persona-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 600 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--enable-unsafe-swiftshader',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
};
