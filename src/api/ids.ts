import { TailError } from '../errors.js';

// Runloop ids are short words such as dbx_2y… / exn_…; anything that could change the URL path
// (slashes, dots-only segments, spaces, control characters) is refused before contacting anyone.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const MAX_ID_LENGTH = 128;

/** Checks an id given on the command line; throws a usage error naming the argument. */
export function validateId(what: string, id: string): string {
  if (id === '') throw new TailError('usage', `${what} is empty`);
  if (id.length > MAX_ID_LENGTH) throw new TailError('usage', `${what} is ${id.length} characters long (at most ${MAX_ID_LENGTH})`);
  if (!ID_PATTERN.test(id) || id.includes('..')) {
    throw new TailError('usage', `${what} ${JSON.stringify(id)} is not a valid id (letters, digits, _ . : - only)`);
  }
  return id;
}
