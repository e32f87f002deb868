/**
 * Checks what curl received: an SSE body saved to a file is turned back into the bytes its events
 * carry, hashed, so curl's row is held to the same sha256 as every other follower's. Only what
 * the benchmark's server sends is understood (one `data:` line per event, `{"output","offset"}`,
 * comments); this is a check on a known body, not a general SSE decoder.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface SseBodyDigest {
  /** sha256 of the concatenated `output`s, as UTF-8 bytes. */
  readonly sha256: string;
  /** Bytes of output carried. */
  readonly bytes: number;
  /** The last event's offset (-1 when none). */
  readonly lastOffset: number;
}

const NEWLINE = 0x0a;
const DATA = Buffer.from('data:');
const BACKSLASH_U = Buffer.from('\\u');

/** Reads an SSE body file and digests the output its events carry. */
export async function digestSseBody(path: string): Promise<SseBodyDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lastOffset = -1;
  let rest: Buffer | undefined;
  const line = (text: Buffer) => {
    if (!text.subarray(0, DATA.length).equals(DATA)) return;
    const json = text.subarray(DATA.length);
    // The data is JSON from JSON.stringify, which escapes no character above 0x7F: read as latin1,
    // each of its bytes is one char, and writing `output` back as latin1 gives the original bytes.
    // A \u escape could stand for a character above 0xFF: then decode it as UTF-8 instead.
    const latin1 = json.indexOf(BACKSLASH_U) === -1;
    const event = JSON.parse(json.toString(latin1 ? 'latin1' : 'utf8')) as { output: string; offset: number };
    const output = Buffer.from(event.output, latin1 ? 'latin1' : 'utf8');
    hash.update(output);
    bytes += output.length;
    lastOffset = event.offset;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let data = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
      line(data.subarray(start, end));
      start = end + 1;
    }
    data = data.subarray(start);
    rest = data.length === 0 ? undefined : Buffer.from(data);
  }
  if (rest !== undefined) line(rest);
  return { sha256: hash.digest('hex'), bytes, lastOffset };
}
