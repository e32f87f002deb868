/**
 * The executions a follow names on its command line: `<devbox-id> <execution-id>` (one), or one or
 * more `<devbox-id>/<execution-id>`, each optionally `@<stdout-offset>,<stderr-offset>` (the form
 * the resume command of several executions uses). Pure: words in, targets out, usage errors thrown.
 */
import { validateId } from '../api/ids.js';
import type { ExecutionRef } from '../api/wire.js';
import { TailError } from '../errors.js';
import type { StreamName } from '../stream/types.js';
import { parseOffset } from './values.js';

export interface ExecutionTarget extends ExecutionRef {
  /** Offsets given with `@out,err`; undefined when the word had none. */
  readonly offsets: Readonly<Record<StreamName, number>> | undefined;
}

/** The forms, for error messages and help. */
export const TARGET_FORMS = '<devbox-id> <execution-id>, or one or more <devbox-id>/<execution-id>';

const usage = (message: string) => new TailError('usage', `${message}: give ${TARGET_FORMS}`);

/** One `<devbox-id>/<execution-id>[@out,err]` word. */
function parseSlashed(word: string): ExecutionTarget {
  const at = word.indexOf('@');
  const ids = at === -1 ? word : word.slice(0, at);
  const slash = ids.indexOf('/');
  const devboxId = validateId('devbox id', ids.slice(0, slash));
  const executionId = validateId('execution id', ids.slice(slash + 1));
  if (at === -1) return { devboxId, executionId, offsets: undefined };
  const parts = word.slice(at + 1).split(',');
  if (parts.length !== 2) throw usage(`${JSON.stringify(word)}: offsets are written @<stdout-offset>,<stderr-offset>`);
  return {
    devboxId,
    executionId,
    offsets: { stdout: parseOffset(`stdout offset of ${executionId}`, parts[0] ?? ''), stderr: parseOffset(`stderr offset of ${executionId}`, parts[1] ?? '') },
  };
}

/** The targets of the words given; throws TailError('usage') naming what is wrong. */
export function parseTargets(words: readonly string[]): ExecutionTarget[] {
  if (words.length === 0) throw usage('no execution given');
  const slashed = words.filter((word) => word.includes('/'));
  if (slashed.length === 0) {
    if (words.length !== 2) throw usage(words.length === 1 ? 'an execution id is missing' : `${words.length} words without a '/'`);
    return [{ devboxId: validateId('devbox id', words[0] ?? ''), executionId: validateId('execution id', words[1] ?? ''), offsets: undefined }];
  }
  if (slashed.length !== words.length) throw usage('the two forms cannot be mixed');
  const targets = words.map(parseSlashed);
  const seen = new Set<string>();
  for (const target of targets) {
    const key = `${target.devboxId}/${target.executionId}`;
    if (seen.has(key)) throw usage(`${key} is given twice`);
    seen.add(key);
  }
  return targets;
}

/**
 * Short labels that tell the executions apart: the shortest common length of id endings (at least
 * 6 characters) at which they are all different, `…` marking a shortened id, padded to one width.
 */
export function executionLabels(executionIds: readonly string[]): string[] {
  const longest = Math.max(0, ...executionIds.map((id) => id.length));
  let length = Math.min(6, longest);
  const ending = (id: string) => (id.length > length ? `…${id.slice(-length)}` : id);
  while (length < longest && new Set(executionIds.map(ending)).size < new Set(executionIds).size) length++;
  const labels = executionIds.map(ending);
  const width = Math.max(0, ...labels.map((label) => label.length));
  return labels.map((label) => label.padEnd(width));
}
