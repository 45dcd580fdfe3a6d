// The autocomplete harness's model path (scripts/eval-autocomplete): the simulated user typing
// a small file while the server's service asks a fake OpenAI-compatible server that answers
// right, wrong or too late. Checks that the harness counts what the model said.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutocompleteService } from '../src/autocomplete/service.js';
import { silentLogger } from '../src/log.js';
import type { CorpusFile } from '../../scripts/eval-autocomplete/corpus.js';
import { localEngine, modelEngine } from '../../scripts/eval-autocomplete/engines.js';
import { newTally, simulateFile, type Engine, type Prediction } from '../../scripts/eval-autocomplete/simulate.js';

const text = [
  'import os',
  '',
  'def read_config(config_path):',
  '    with open(config_path) as handle:',
  '        contents = handle.read()',
  '    return parse_config(contents)',
  '',
  'def parse_config(contents):',
  '    settings = {}',
  '    for line in contents.splitlines():',
  '        key, value = line.split("=", 1)',
  '        settings[key.strip()] = value.strip()',
  '    return settings',
  '',
  'def write_config(config_path, settings):',
  '    with open(config_path, "w") as handle:',
  '        for key in sorted(settings):',
  '            handle.write(key + "=" + settings[key])',
  '    return config_path',
  '',
].join('\n');
const file: CorpusFile = { language: 'python', id: 'memory/config.py', path: 'config.py', source: 'memory', licence: '', split: 'heldout', text, lines: text.split('\n').length };

/** Request numbers (0-based) the fake server lets time out; never 3 in a row, so the service does not pause the model. */
const SLOW = new Set([2, 7]);
// Long enough that a loaded machine answers every fast request in time: a late right answer
// would count as a fallback. Only the never-answered requests wait for it.
const TIMEOUT_MS = 1_000;
const GARBAGE = 'zzz_not_in_the_file()';

type Kind = 'right' | 'wrong' | 'slow' | 'empty';
const kinds: Kind[] = [];
const problems: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { prompt: string; suffix: string };
      const n = kinds.length;
      // The prompt is the file up to the cursor (the file is shorter than the prompt window), and
      // the suffix is what the editor holds after the cursor: the file after the current line.
      const cursor = body.prompt.length;
      if (!text.startsWith(body.prompt)) problems.push(`request ${n}: prompt is not a prefix of the file`);
      const lineEnd = text.indexOf('\n', cursor);
      if (body.suffix !== text.slice(lineEnd, lineEnd + 1_000)) problems.push(`request ${n}: suffix is not the file after the current line`);
      if (SLOW.has(n)) {
        kinds.push('slow');
        return; // never answers; the service gives up after TIMEOUT_MS
      }
      // The true continuation: the rest of the current line.
      const truth = text.slice(cursor, lineEnd).trimEnd();
      const answer = n % 3 === 1 ? GARBAGE : truth;
      kinds.push(answer === '' ? 'empty' : answer === GARBAGE ? 'wrong' : 'right');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, text: answer, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Wraps an engine to keep every query and its answer. */
function recording(engine: Engine, log: { doc: string; cursor: number; pred: Prediction }[]): Engine {
  return {
    name: engine.name,
    forFile(f) {
      const inner = engine.forFile(f);
      return {
        async predict(doc, cursor) {
          const pred = await inner.predict(doc, cursor);
          log.push({ doc, cursor, pred });
          return pred;
        },
      };
    },
  };
}

describe('eval harness: model path through the server service', () => {
  it('counts right model answers as saved keystrokes, wrong ones against precision, timeouts as local fallbacks', async () => {
    const service = createAutocompleteService({ provider: 'openai', url, model: 'fake-coder', timeoutMs: TIMEOUT_MS, logger: silentLogger });
    const log: { doc: string; cursor: number; pred: Prediction }[] = [];
    const tally = newTally();
    await simulateFile(file, recording(modelEngine(service, 'model (fake-coder)'), log), 0, tally);

    expect(problems).toEqual([]);
    const count = (k: Kind): number => kinds.filter((x) => x === k).length;
    expect(count('slow')).toBe(SLOW.size);
    expect(count('right')).toBeGreaterThan(5);
    expect(count('wrong')).toBeGreaterThan(3);
    expect(tally.queries).toBe(kinds.length);

    // Every answer is attributed: non-empty model text is a model answer, the rest fell back.
    expect(tally.modelAnswers).toBe(count('right') + count('wrong'));
    expect(tally.localFallbacks).toBe(count('slow') + count('empty'));
    // Right answers were all offered and accepted; wrong ones were offered and count against precision.
    expect(tally.modelOffered).toBe(count('right') + count('wrong'));
    expect(tally.modelCorrect).toBe(count('right'));
    expect(tally.offered - tally.correct).toBeGreaterThanOrEqual(count('wrong'));
    expect(tally.correct / tally.offered).toBeLessThan(1);

    // Each accepted model answer saved its length minus the accepting key.
    const modelSaved = log.filter((q) => q.pred.source === 'model' && text.startsWith(q.pred.suggestion, q.cursor)).reduce((n, q) => n + q.pred.suggestion.length - 1, 0);
    expect(modelSaved).toBeGreaterThan(0);
    expect(tally.savedChars).toBeGreaterThanOrEqual(modelSaved);

    // A fallback is exactly what the local engine says at that point.
    const local = localEngine().forFile(file);
    const fallbacks = log.filter((q) => q.pred.source === 'local');
    expect(fallbacks).toHaveLength(count('slow') + count('empty'));
    for (const q of fallbacks) {
      const own = (await local.predict(q.doc, q.cursor)) as Prediction;
      expect(q.pred.suggestion).toBe(own.suggestion);
    }

    // Ignoring the model would give the local engine's figures: the model's right lines save more.
    const localOnly = newTally();
    await simulateFile(file, localEngine(), 0, localOnly);
    expect(tally.savedChars).toBeGreaterThan(localOnly.savedChars);
    // Wall time of a timed-out query is the timeout, not a synchronous call.
    expect(Math.max(...tally.latencies)).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
  });
});
