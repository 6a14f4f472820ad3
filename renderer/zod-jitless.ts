/**
 * Imported first by the page, before any schema is built: zod compiles object parsers with
 * `new Function` when it may, and its probe for that trips the page's Content-Security-Policy (no
 * 'unsafe-eval'), which reports a violation on every load even though zod catches the throw.
 * Jitless, zod never probes and parses without eval.
 */
import { z } from 'zod';

z.config({ jitless: true });
