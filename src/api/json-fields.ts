/**
 * Reads chosen top-level fields of a JSON object from its bytes as they arrive, keeping only
 * those fields. An execution view carries the command's output once it has completed (the last
 * `last_n` lines, which a server may not bound); runloop-tail needs `status` and `exit_status`,
 * so memory stays bounded whatever the size of the view.
 *
 * Structure characters of JSON are ASCII, so scanning UTF-8 bytes for them is exact.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/** The JSON text was not an object, or ended before it did. */
export class JsonFieldsError extends Error {
  override readonly name = 'JsonFieldsError';
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** An incremental scanner: `push` the body's pieces, then `end` for the fields' parsed values. */
export class JsonFieldScanner {
  private readonly wanted: ReadonlySet<string>;
  private readonly maxValueBytes: number;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private done = false;
  /** At depth 1: what comes next. */
  private expect: 'key' | 'colon' | 'value' | 'comma' = 'key';
  private key: Buffer[] = [];
  private keyBytes = 0;
  private capturing: string | undefined;
  private captured: Buffer[] = [];
  private capturedBytes = 0;
  private readonly values = new Map<string, string>();

  /** `wanted`: the top-level keys to keep; a value above `maxValueBytes` is not kept. */
  constructor(wanted: readonly string[], maxValueBytes = 4096) {
    this.wanted = new Set(wanted);
    this.maxValueBytes = maxValueBytes;
  }

  push(bytes: Buffer): void {
    let captureFrom = this.capturing === undefined ? -1 : 0;
    let keyFrom = this.expect === 'key' && this.inString && this.depth === 1 ? 0 : -1;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (this.done) {
        if (!isSpace(byte)) throw new JsonFieldsError('text follows the JSON object');
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) {
          this.inString = false;
          if (keyFrom !== -1) {
            this.addKey(bytes.subarray(keyFrom, i));
            keyFrom = -1;
            this.expect = 'colon';
          }
        }
        continue;
      }
      if (this.depth === 0) {
        if (isSpace(byte)) continue;
        if (byte !== 0x7b) throw new JsonFieldsError('not a JSON object');
        this.depth = 1;
        this.expect = 'key';
        continue;
      }
      if (this.depth === 1) {
        if (isSpace(byte)) continue;
        if (this.expect === 'key') {
          if (byte === 0x7d) {
            this.finish();
            continue;
          }
          if (byte !== QUOTE) throw new JsonFieldsError('a key is not a string');
          this.inString = true;
          this.key = [];
          this.keyBytes = 0;
          keyFrom = i + 1;
          continue;
        }
        if (this.expect === 'colon') {
          if (byte !== COLON) throw new JsonFieldsError('no colon after a key');
          this.expect = 'value';
          continue;
        }
        if (this.expect === 'value') {
          const key = Buffer.concat(this.key).toString('utf8');
          this.expect = 'comma';
          if (this.wanted.has(key)) {
            this.capturing = key;
            this.captured = [];
            this.capturedBytes = 0;
            captureFrom = i;
          }
          // fall through: the value's first byte is read below (a string or a nesting opens)
        } else if (byte === COMMA || byte === 0x7d) {
          if (captureFrom !== -1) this.addCapture(bytes.subarray(captureFrom, i));
          captureFrom = -1;
          this.keep();
          if (byte === COMMA) this.expect = 'key';
          else this.finish();
          continue;
        }
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === 0x7b || byte === 0x5b) this.depth++;
      else if (byte === 0x7d || byte === 0x5d) this.depth--;
    }
    if (keyFrom !== -1) this.addKey(bytes.subarray(keyFrom));
    if (captureFrom !== -1) this.addCapture(bytes.subarray(captureFrom));
  }

  /** The parsed values of the wanted fields that were present. Throws JsonFieldsError when the object is unfinished or a value not JSON. */
  end(): Map<string, unknown> {
    if (!this.done) throw new JsonFieldsError('the JSON object is unfinished');
    const parsed = new Map<string, unknown>();
    for (const [key, text] of this.values) {
      try {
        parsed.set(key, JSON.parse(text));
      } catch {
        throw new JsonFieldsError(`the value of "${key}" is not JSON`);
      }
    }
    return parsed;
  }

  private finish(): void {
    this.depth = 0;
    this.done = true;
  }

  private addKey(bytes: Buffer): void {
    // Only short keys can be wanted ones; a long key is kept to its first bytes.
    if (this.keyBytes > 256) return;
    this.key.push(Buffer.from(bytes.subarray(0, 257)));
    this.keyBytes += bytes.length;
  }

  private addCapture(bytes: Buffer): void {
    if (this.capturing === undefined) return;
    this.capturedBytes += bytes.length;
    if (this.capturedBytes > this.maxValueBytes) {
      this.capturing = undefined; // too big to be the value we want: parsed as absent
      this.captured = [];
      return;
    }
    this.captured.push(Buffer.from(bytes));
  }

  private keep(): void {
    if (this.capturing !== undefined) this.values.set(this.capturing, Buffer.concat(this.captured).toString('utf8').trim());
    this.capturing = undefined;
    this.captured = [];
  }
}
