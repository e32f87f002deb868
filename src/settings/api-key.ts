import { TailError, type ErrorKind } from '../errors.js';

/**
 * A key as given, with surrounding white space removed (a copied key often carries a newline);
 * `undefined` when nothing is left, so that an empty value counts as unset.
 */
export function normaliseApiKey(raw: string | undefined): string | undefined {
  const key = raw?.trim();
  return key ? key : undefined;
}

// Printable ASCII without the space: what fits in an `Authorization: Bearer` header unchanged.
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * Throws when a key cannot be sent as a bearer token (spaces, control or non-ASCII characters).
 * Left unchecked, fetch would reject the header with a message that quotes the key.
 * @param where - where the key came from, for the message (`RUNLOOP_API_KEY`, `stdin`, …)
 */
export function checkApiKey(key: string, where: string, kind: ErrorKind = 'usage', hint = 'check how it was copied'): void {
  if (!KEY_CHARACTERS.test(key)) {
    throw new TailError(kind, `the API key from ${where} contains spaces, control or non-ASCII characters; ${hint}`);
  }
}
