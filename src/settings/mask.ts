/** What stands for the hidden part of a secret. */
export const MASK = '****';

/** Below this length a secret is shown as the mask alone: its last 4 characters would be too much of it. */
export const MIN_LENGTH_TO_SHOW_TAIL = 16;

/**
 * A secret as it may be shown: `****` and its last 4 characters, or `****` alone for a short secret.
 * The mask has a fixed width, so it does not tell the secret's length either.
 */
export function maskSecret(secret: string): string {
  return secret.length >= MIN_LENGTH_TO_SHOW_TAIL ? `${MASK}${secret.slice(-4)}` : MASK;
}
