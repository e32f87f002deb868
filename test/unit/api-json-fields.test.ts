import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonFieldScanner, JsonFieldsError } from '../../src/api/json-fields.js';

/** Scans `text` fed in the given pieces. */
function scan(text: string, fields: readonly string[], cuts: readonly number[] = [], maxValueBytes?: number): Record<string, unknown> {
  const bytes = Buffer.from(text, 'utf8');
  const scanner = new JsonFieldScanner(fields, maxValueBytes);
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b)) {
    scanner.push(bytes.subarray(from, cut));
    from = cut;
  }
  scanner.push(bytes.subarray(from));
  return Object.fromEntries(scanner.end());
}

describe('JsonFieldScanner', () => {
  it.each([
    ['flat', '{"status":"completed","exit_status":3}', { status: 'completed', exit_status: 3 }],
    ['spaces and newlines', ' {\n "status" : "running" ,\r\n\t"exit_status" : null }\n', { status: 'running', exit_status: null }],
    ['nested lookalikes are not top-level', '{"a":{"status":"no","exit_status":1},"b":[{"status":"no"}],"status":"queued"}', { status: 'queued' }],
    ['escapes in strings', '{"stdout":"a \\" \\\\ } ] , : \\"status\\":1","status":"completed"}', { status: 'completed' }],
    ['escaped key', '{"st\\u0061tus":"x","status":"y"}', { status: 'y' }],
    ['missing fields', '{"other":1}', {}],
    ['unicode text', '{"stdout":"é€😀","exit_status":0}', { exit_status: 0 }],
  ])('%s', (_name, text, expected) => {
    expect(scan(text, ['status', 'exit_status'])).toEqual(expected);
    const bytes = Buffer.byteLength(text);
    for (let cut = 0; cut <= bytes; cut++) expect(scan(text, ['status', 'exit_status'], [cut])).toEqual(expected);
  });

  it('does not keep a value larger than the cap', () => {
    expect(scan(`{"status":"${'x'.repeat(100)}","exit_status":1}`, ['status', 'exit_status'], [], 50)).toEqual({ exit_status: 1 });
  });

  it.each([
    ['not an object', '[1,2]'],
    ['unfinished', '{"status":"runn'],
    ['trailing text', '{"status":"x"} y'],
    ['a bad value', '{"status":nope}'],
  ])('refuses %s', (_name, text) => {
    expect(() => scan(text, ['status'])).toThrow(JsonFieldsError);
  });

  it('agrees with JSON.parse on random objects in random pieces', () => {
    const value = fc.jsonValue();
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('status', 'exit_status', 'stdout', 'x', 'st"atus'), value), fc.array(fc.nat(400)), (object, cuts) => {
        const text = JSON.stringify(object, null, cuts.length % 2 === 0 ? undefined : 1);
        const expected: Record<string, unknown> = {};
        for (const key of ['status', 'exit_status']) if (key in object) expected[key] = JSON.parse(JSON.stringify(object[key]));
        expect(scan(text, ['status', 'exit_status'], cuts, 1_000_000)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
