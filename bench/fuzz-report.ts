/**
 * What the fuzzer records: per target, how many cases ran and how each was answered (by kind), and
 * the failures, each with what it takes to replay it (seed, target, case index, a description of the
 * input). A failure is a crash, a 5xx, a hang, or an answer without a reason where one is owed.
 */

export type Target = 'ws' | 'http' | 'sdp' | 'card';

export type FailureKind = 'crash' | 'server-error' | 'hang' | 'no-reason' | 'unhealthy';

export interface Failure {
  kind: FailureKind;
  target: Target | 'server';
  seed: number;
  /** The case's index within its target: `npm run fuzz -- --seed <seed> --case <target>:<index>` replays it. */
  index: number;
  /** What the case sent, shortly (a preview of the bytes or text). */
  input: string;
  /** What happened. */
  what: string;
}

/** Answers seen, by kind ("http 404 json", "ws error: invalid message: text", "ws close 1009"…), and failures. */
export class Tally {
  readonly cases: Record<Target, number> = { ws: 0, http: 0, sdp: 0, card: 0 };
  readonly answers: Record<Target, Record<string, number>> = { ws: {}, http: {}, sdp: {}, card: {} };
  /** The first case seen with each answer kind, by target and kind: what to replay to see it. */
  readonly examples: Record<Target, Record<string, string>> = { ws: {}, http: {}, sdp: {}, card: {} };
  readonly failures: Failure[] = [];
  /** Answers a person could not act on, that are not ours to fail the run for (e.g. Node's own bare 400). Kept as findings. */
  readonly findings: Record<string, { count: number; example: string }> = {};
  /**
   * Bugs found in code this suite does not own, reported and not yet fixed: each is matched
   * exactly (by what it does), counted, and shown, instead of failing every run until it is fixed.
   * Anything that does not match one stays a failure.
   */
  readonly knownBugs: Record<string, { count: number; example: string }> = {};

  constructor(readonly seed: number) {}

  answer(target: Target, kind: string, input?: string): void {
    this.cases[target]++;
    if (input !== undefined) this.examples[target][kind] ??= input.slice(0, 200);
    this.answers[target][kind] = (this.answers[target][kind] ?? 0) + 1;
  }

  fail(failure: Omit<Failure, 'seed'>): void {
    this.failures.push({ seed: this.seed, ...failure });
    if (failure.target !== 'server') this.answer(failure.target, `FAILURE ${failure.kind}`);
    const replay = failure.target === 'server' ? '' : `; replay: npm run fuzz -- --seed ${this.seed} --case ${failure.target}:${failure.index}`;
    process.stderr.write(`fuzz: ${failure.kind} on ${failure.target}${failure.target === 'server' ? '' : ` case ${failure.index}`} (seed ${this.seed}${replay}): ${failure.what}\n  input: ${failure.input}\n`);
  }

  /** Records case input as an instance of the known bug `key` (see KNOWN_BUGS), and answers it as such. */
  knownBug(target: Target, key: keyof typeof KNOWN_BUGS, input: string): void {
    const found = (this.knownBugs[KNOWN_BUGS[key]] ??= { count: 0, example: input.slice(0, 300) });
    found.count++;
    this.answer(target, `KNOWN BUG ${key}`, input);
  }

  find(key: string, example: string): void {
    const found = (this.findings[key] ??= { count: 0, example });
    found.count++;
  }
}

/** Bugs this suite found in code it does not own (reported in the commit and to the owners), by short key. */
export const KNOWN_BUGS = {
} as const;

/** A reason as an answer kind: quoted values and numbers folded, then its first two clauses, so kinds stay few. */
export const reasonKind = (reason: string): string =>
  reason
    .replace(/"[^"]*"/g, '"…"')
    .replace(/("…"(, )?)+/g, '"…"')
    .replace(/\d+(\.\d+)?/g, 'N')
    .split(':')
    .slice(0, 2)
    .join(':')
    .slice(0, 80);

/** Cases sent and not yet answered ("ws:123" → input), and those answered in the last moments: the suspects when the server dies. */
export class InFlight {
  private readonly open = new Map<string, string>();
  private readonly recent: { key: string; input: string; at: number }[] = [];

  set(key: string, input: string): void {
    this.open.set(key, input);
  }

  delete(key: string): void {
    const input = this.open.get(key);
    if (input === undefined) return;
    this.open.delete(key);
    this.recent.push({ key, input, at: performance.now() });
    if (this.recent.length > 64) this.recent.shift();
  }

  /** The cases in flight, then those finished within `ms` (a dying server's sockets close before its exit is seen). */
  snapshot(ms = 1000): [key: string, input: string][] {
    const since = performance.now() - ms;
    return [...this.open.entries(), ...this.recent.filter((r) => r.at >= since).map((r): [string, string] => [r.key, r.input])];
  }

  clear(): void {
    this.open.clear();
    this.recent.length = 0;
  }
}

/** What each target's runner is given: where the server is, where to record, and whether to stop (the server went). */
export interface FuzzContext {
  seed: number;
  url: string;
  port: number;
  tally: Tally;
  inFlight: InFlight;
  /** True once the server has gone or the run was cut short: runners stop and record nothing more. */
  stopped(): boolean;
  /**
   * Records a failure, unless the server turns out to have died (the crash is recorded once, with
   * the cases in flight): a closed socket is often seen before the process's exit.
   */
  fail(failure: Omit<Failure, 'seed'>): Promise<void>;
}

/** Closes that say why by their code alone (RFC 6455 §7.4.1) when the text is empty. */
export const CLOSE_CODE_MEANING: Record<number, string> = {
  1000: 'normal',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'internal error',
  1013: 'try again later',
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
