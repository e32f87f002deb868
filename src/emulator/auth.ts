/**
 * The bearer key: generated when none is given, checked on every request in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A fresh random key for a server started without one. */
export function generateApiKey(): string {
  return `rlt_local_${randomBytes(18).toString('base64url')}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Why a request is not authorised, or undefined when it carries `Authorization: Bearer <key>`.
 * Compares digests so neither the key's content nor its length leaks through timing.
 */
export function authProblem(headers: IncomingHttpHeaders, apiKey: string): string | undefined {
  const header = headers.authorization;
  if (header === undefined || header === '') return 'missing Authorization header (expected "Bearer <api key>")';
  const match = /^Bearer[ \t]+(.+)$/i.exec(header.trim());
  if (match === null) return 'Authorization header is not "Bearer <api key>"';
  return timingSafeEqual(digest(match[1] ?? ''), digest(apiKey)) ? undefined : 'API key rejected';
}
