import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { buildApp } from '../app.ts';
import { loadConfig, type Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { JsonArraySplitter, Progress, formatDuration, jsonlRecords, locateJsonError, runImport, type ImportIO } from './import.ts';

const temps: string[] = [];
after(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'machi-import-'));
  temps.push(d);
  return d;
}

/** A config whose store is PGlite in a fresh folder on disk, as `npm run machi` would use. */
async function diskConfig(): Promise<Config> {
  return loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: '', DATA_DIR: path.join(await tempDir(), 'data') });
}

interface Captured {
  io: Partial<ImportIO>;
  out: () => string;
  err: () => string;
}

function capture(isTTY = false): Captured {
  let out = '';
  let err = '';
  return {
    io: { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) }, isTTY },
    out: () => out,
    err: () => err,
  };
}

const entity = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `urn:ngsi-ld:OffStreetParking:import-${n}`,
  type: 'OffStreetParking',
  availableSpotNumber: { type: 'Property', value: n, observedAt: '2025-05-15T00:00:00Z' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.93, 37.49] } },
  ...extra,
});

/** Reads entities back through a second app on the same data folder, as a later process would. */
async function readBack<T>(config: Config, fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const app = await buildApp(config);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

async function isStored(app: Awaited<ReturnType<typeof buildApp>>, tenant: string, id: string): Promise<boolean> {
  try {
    await app.hub.entities.get(tenant, id);
    return true;
  } catch (err) {
    if (err instanceof AppError && (err.code === 'ResourceNotFound' || err.code === 'NonexistentTenant')) return false;
    throw err;
  }
}

describe('machi import: command line', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(tmpdir(), 'machi-import-never-opened') });

  const usageCases: Array<[string, string[], RegExp]> = [
    ['no format', [], /say what to import: ngsi-ld/],
    ['an unknown format', ['csv', 'x.csv'], /unknown format 'csv'; known formats: ngsi-ld/],
    ['no path', ['ngsi-ld'], /needs a file or directory/],
    ['an unknown flag', ['ngsi-ld', 'a.jsonl', '--force'], /unknown flag '--force'/],
    ['an unknown short flag', ['ngsi-ld', '-x', 'a.jsonl'], /unknown flag '-x'/],
    ['a flag without its value', ['ngsi-ld', 'a.jsonl', '--tenant'], /--tenant needs a value/],
    ['a batch of 0', ['ngsi-ld', 'a.jsonl', '--batch', '0'], /--batch must be a whole number from 1 to 1000, got '0'/],
    ['a batch over 1000', ['ngsi-ld', 'a.jsonl', '--batch=1001'], /got '1001'/],
    ['a batch that is not a number', ['ngsi-ld', 'a.jsonl', '--batch', '1e3'], /got '1e3'/],
    ['a bad tenant name', ['ngsi-ld', 'a.jsonl', '--tenant', 'no spaces'], /--tenant 'no spaces' is not a tenant name/],
    ['a context that is not a URL', ['ngsi-ld', 'a.jsonl', '--context', 'context.jsonld'], /--context 'context.jsonld' is not an absolute URL/],
  ];
  for (const [what, args, message] of usageCases) {
    test(`${what} is a usage error: exit code 2, the reason and the usage on stderr`, async () => {
      const c = capture();
      assert.equal(await runImport(args, config, c.io), 2);
      assert.match(c.err(), message);
      assert.match(c.err(), /usage:\n {2}npm run machi -- import ngsi-ld/);
      assert.equal(c.out(), '');
    });
  }

  test('paths that do not exist, are not data files, or are empty directories are usage errors', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'notes.txt'), 'hello');
    await mkdir(path.join(dir, 'empty'));
    for (const [p, message] of [
      [path.join(dir, 'missing.jsonl'), /missing\.jsonl: no such file or directory/],
      [path.join(dir, 'notes.txt'), /notes\.txt: not a \.jsonl or \.json file/],
      [path.join(dir, 'empty'), /empty: the directory has no \.jsonl or \.json files/],
    ] as const) {
      const c = capture();
      assert.equal(await runImport(['ngsi-ld', p], config, c.io), 2, p);
      assert.match(c.err(), message);
    }
  });

  test('--help prints the usage on stdout and succeeds', async () => {
    for (const args of [['--help'], ['ngsi-ld', '--help']]) {
      const c = capture();
      assert.equal(await runImport(args, config, c.io), 0);
      assert.match(c.out(), /--batch N/);
      assert.equal(c.err(), '');
    }
  });
});

describe('machi import ngsi-ld: loading files', () => {
  test('loads a .jsonl file, rejects bad entities and bad lines, and reports them by reason and line', async () => {
    const dir = await tempDir();
    const config = await diskConfig();
    const file = path.join(dir, 'city.jsonl');
    const lines = [
      JSON.stringify(entity(1)),
      '{"id": "urn:ngsi-ld:OffStreetParking:import-broken", "type": ',
      '',
      JSON.stringify(entity(2)),
      JSON.stringify(entity(0, { id: 'not a uri' })),
      JSON.stringify(entity(3, { speed: { type: 'Propperty', value: 1 } })),
      JSON.stringify(entity(4, { speed: { type: 'Propperty', value: 2 } })),
      '   ',
      JSON.stringify(entity(5)),
      'this is not json',
      JSON.stringify(entity(6)),
      JSON.stringify({ type: 'OffStreetParking' }),
    ];
    await writeFile(file, lines.join('\r\n'));
    const c = capture();
    const code = await runImport(['ngsi-ld', file, '--batch', '2'], config, c.io);
    assert.equal(code, 1, c.out() + c.err());
    const out = c.out();
    assert.match(out, /files\s+1\n/);
    assert.match(out, /entities read\s+8\n/);
    assert.match(out, /created\s+4\n/);
    assert.match(out, /updated\s+0\n/);
    assert.match(out, /rejected\s+4\n/);
    assert.match(out, /not JSON\s+2 lines\n/);
    assert.match(out, /time\s+\d/);
    assert.match(out, /rate\s+[\d,]+ entities\/s/);
    // The same mistake in two entities is one reason, with both as examples, counted first.
    assert.match(
      out,
      /rejected, by reason:\n {2}2 × attribute speed has type "Propperty"[^\n]*\n {6}e\.g\. urn:ngsi-ld:OffStreetParking:import-3 \(.*city\.jsonl:6\), urn:ngsi-ld:OffStreetParking:import-4 \(.*city\.jsonl:7\)\n/,
    );
    assert.match(out, / {2}1 × entity id "<id>" is not a URI[^\n]*\n {6}e\.g\. not a uri \(.*city\.jsonl:5\)\n/);
    // An entity without an id is shown by where it is in the file.
    assert.match(out, / {2}1 × the entity has no id\n {6}e\.g\. \S*city\.jsonl:12\n/);
    assert.match(out, /not valid JSON:\n {2}\S*city\.jsonl:2: Unexpected end of JSON input\n {2}\S*city\.jsonl:10: Unexpected token[^\n]+\n$/);
    assert.equal(c.err(), '', 'no progress lines for a quick import off a terminal');

    await readBack(config, async (app) => {
      for (const n of [1, 2, 5, 6]) {
        const e = await app.hub.entities.get('', `urn:ngsi-ld:OffStreetParking:import-${n}`);
        assert.equal(e.attrs['https://uri.etsi.org/ngsi-ld/default-context/availableSpotNumber']?.[0]?.value, n);
      }
      for (const id of ['urn:ngsi-ld:OffStreetParking:import-3', 'urn:ngsi-ld:OffStreetParking:import-4', 'not a uri']) {
        assert.equal(await isStored(app, '', id), false, `${id} must not be stored`);
      }
    });
  });

  test('loads every .jsonl and .json file of a directory, in name order, and updates on a second run', async () => {
    const dir = await tempDir();
    const config = await diskConfig();
    await writeFile(path.join(dir, 'b.json'), JSON.stringify([entity(10), entity(11), entity(12)], null, 2));
    await writeFile(path.join(dir, 'a.jsonl'), `${JSON.stringify(entity(13))}\n${JSON.stringify(entity(14))}\n`);
    await writeFile(path.join(dir, 'c.JSON'), JSON.stringify(entity(15)));
    await writeFile(path.join(dir, 'readme.txt'), 'not data');
    await mkdir(path.join(dir, 'nested.json'));

    const first = capture();
    assert.equal(await runImport(['ngsi-ld', dir], config, first.io), 0, first.out());
    assert.match(first.out(), /files\s+3\n\s+entities read\s+6\n\s+created\s+6\n\s+updated\s+0\n\s+rejected\s+0\n/);
    assert.doesNotMatch(first.out(), /by reason|not valid JSON/);

    const again = capture();
    assert.equal(await runImport(['ngsi-ld', dir, '--batch=4'], config, again.io), 0);
    assert.match(again.out(), /created\s+0\n\s+updated\s+6\n/);

    await readBack(config, async (app) => {
      for (const n of [10, 11, 12, 13, 14, 15]) assert.ok(await isStored(app, '', `urn:ngsi-ld:OffStreetParking:import-${n}`));
    });
  });

  test('--tenant and --context apply to entities that carry no @context of their own', async () => {
    const dir = await tempDir();
    const config = await diskConfig();
    const file = path.join(dir, 'concise.jsonl');
    // Concise form (clause 4.5.3), with Smart Data Models terms.
    await writeFile(file, `${JSON.stringify({ id: 'urn:ngsi-ld:ParkingSpot:t-1', type: 'ParkingSpot', status: 'free' })}\n`);
    const c = capture();
    const code = await runImport(['ngsi-ld', file, '--tenant', 'import-tenant-test', '--context', 'https://smartdatamodels.org/context.jsonld'], config, c.io);
    assert.equal(code, 0, c.out() + c.err());
    await readBack(config, async (app) => {
      const e = await app.hub.entities.get('import-tenant-test', 'urn:ngsi-ld:ParkingSpot:t-1');
      assert.deepEqual(e.types, ['https://smartdatamodels.org/dataModel.Parking/ParkingSpot']);
      assert.equal(await isStored(app, '', 'urn:ngsi-ld:ParkingSpot:t-1'), false, 'not in the default tenant');
    });
  });
});

describe('machi import ngsi-ld: reading', () => {
  /** Splits `text` fed in the given chunk sizes (cycled) and returns the pieces. */
  const split = (text: string, sizes: number[] = [text.length || 1]) => {
    const s = new JsonArraySplitter();
    const out: Array<Record<string, unknown>> = [];
    for (let i = 0, k = 0; i < text.length; k++) {
      const n = Math.max(1, sizes[k % sizes.length]!);
      s.push(text.slice(i, i + n), out as never);
      i += n;
    }
    s.end(out as never);
    return out;
  };

  test('the array splitter yields exactly the elements of any JSON array, however the text is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 5 }), (values, pretty, sizes) => {
        const text = pretty ? JSON.stringify(values, null, 2) : JSON.stringify(values);
        const pieces = split(text, sizes);
        assert.equal(pieces.length, values.length);
        pieces.forEach((p, i) => assert.deepEqual(JSON.parse(p.text as string), JSON.parse(JSON.stringify(values[i]))));
      }),
    );
  });

  test('the array splitter gives the line and column where each element starts', () => {
    const pieces = split('[\n  {"a": "x,]\\"y"},\n  [1, {"b": 2}]   ,\n\n  3 ]', [5]);
    assert.deepEqual(pieces, [
      { line: 2, column: 3, text: '{"a": "x,]\\"y"}' },
      { line: 3, column: 3, text: '[1, {"b": 2}]   ' },
      { line: 5, column: 3, text: '3 ' },
    ]);
  });

  test('the array splitter passes a non-array through whole and names broken arrays', () => {
    assert.deepEqual(split('\uFEFF\n {"id": "urn:x:1"}\n'), [{ line: 2, column: 2, text: '{"id": "urn:x:1"}\n' }]);
    assert.deepEqual(split('  '), [{ line: 1, error: 'the file has no JSON value' }]);
    assert.deepEqual(split('[1,]'), [{ line: 1, column: 2, text: '1' }, { line: 1, error: 'a comma before the closing ] of the array' }]);
    assert.deepEqual(split('[1,\n{"a":'), [{ line: 1, column: 2, text: '1' }, { line: 2, error: 'the file ends inside this value' }]);
    assert.deepEqual(split('[1\n'), [{ line: 1, error: 'the file ends inside this value' }]);
    assert.deepEqual(split('[]\n]'), [{ line: 2, error: 'unexpected text after the closing ] of the array' }]);
    assert.deepEqual(split('[,1]'), [{ line: 1, error: 'a comma before the first element' }, { line: 1, column: 3, text: '1' }]);
  });

  test('a JSON syntax error is located in the file, not in the element that was parsed', () => {
    const parse = (text: string) => {
      try {
        JSON.parse(text);
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected a syntax error');
    };
    // An element that starts on line 7, column 3: an error on its first line shifts the column.
    assert.deepEqual(locateJsonError(parse('{"a": 1 "b"}'), 7, 3), { line: 7, column: 11, message: "Expected ',' or '}' after property value" });
    assert.deepEqual(locateJsonError(parse('{"a": 1,\n  oops}'), 7, 3), { line: 8, column: 3, message: 'Expected double-quoted property name' });
    assert.deepEqual(locateJsonError(parse('{} {}'), 2, 1), { line: 2, column: 4, message: 'Unexpected non-whitespace character after JSON' });
    // V8 gives no position for some errors: then the element's line is all there is.
    assert.deepEqual(locateJsonError(parse('{"a": }'), 7, 3), { line: 7, message: `Unexpected token '}', "{"a": }" is not valid JSON` });
  });

  test('.jsonl lines may be long, end in CRLF, start with a BOM or lack a final newline', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'x.jsonl');
    const long = JSON.stringify({ id: 'urn:x:long', pad: 'あ'.repeat(100_000) });
    await writeFile(file, `\uFEFF{"n":1}\r\n\r\n${long}\n  \n{"n":3}`);
    const seen: number[] = [];
    const pieces = [];
    for await (const p of jsonlRecords(file, (b) => seen.push(b))) pieces.push(p);
    assert.deepEqual(
      pieces.map((p) => ('text' in p ? [p.line, JSON.parse(p.text)] : p)),
      [[1, { n: 1 }], [3, JSON.parse(long)], [5, { n: 3 }]],
    );
    assert.ok(seen.length > 1, 'progress is reported chunk by chunk');
    assert.equal(seen.at(-1), Buffer.byteLength(`\uFEFF{"n":1}\r\n\r\n${long}\n  \n{"n":3}`));
  });
});

describe('machi import: progress', () => {
  test('on a terminal the bar is redrawn in place at most ten times a second and cleared at the end', () => {
    let t = 0;
    let err = '';
    const p = new Progress({ err: { write: (s: string) => (err += s) }, isTTY: true, now: () => t, totalBytes: 4096 });
    for (let i = 0; i <= 100; i++) {
      t = i * 10; // a call every 10 ms for one second
      p.update(i * 40, i * 10);
    }
    const draws = err.split('\r').filter(Boolean);
    assert.ok(draws.length >= 10 && draws.length <= 11, `${draws.length} redraws`);
    assert.match(draws.at(-1)!, /^\[#+-*\] +\d+% 3\.9 KiB \/ 4\.0 KiB {2}1,000 entities\/s {2}ETA [\d.]+s\x1b\[K$/);
    p.done();
    assert.ok(err.endsWith('\r\x1b[K'));
    assert.doesNotMatch(err, /\n/);
  });

  test('off a terminal it writes a plain line every five seconds, none for a quick import', () => {
    let t = 0;
    const lines: string[] = [];
    const p = new Progress({ err: { write: (s: string) => lines.push(s) }, isTTY: false, now: () => t, totalBytes: 1000 });
    t = 4000;
    p.update(100, 10);
    assert.deepEqual(lines, []);
    t = 5000;
    p.update(500, 50);
    t = 6000;
    p.update(600, 60);
    assert.deepEqual(lines, ['import: 50% (500 B / 1000 B  10 entities/s  ETA 5.0s), 50 entities read\n']);
    p.done();
    assert.equal(lines.length, 1);
  });

  test('durations read naturally', () => {
    assert.equal(formatDuration(0.42), '0.4s');
    assert.equal(formatDuration(42), '42s');
    assert.equal(formatDuration(185), '3m05s');
    assert.equal(formatDuration(3720), '1h02m');
    assert.equal(formatDuration(Number.POSITIVE_INFINITY), '?');
  });
});
