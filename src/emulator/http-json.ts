/**
 * JSON in and out for the emulator's routes, and the one shape of its error bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The error body of every non-2xx JSON answer: `{status, error, message}`. */
export interface ErrorBody {
  status: number;
  /** A stable machine-readable kind, e.g. "not_found". */
  error: string;
  /** One line for a person; the SDK shows it as the error's message. */
  message: string;
}

/** An error a route answers with; `headers` go along (Retry-After, Allow). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The `error` code used for a status when a route has nothing more specific. */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthorized',
    404: 'not_found',
    405: 'method_not_allowed',
    408: 'request_timeout',
    413: 'payload_too_large',
    429: 'too_many_requests',
    500: 'internal_error',
    502: 'bad_gateway',
    503: 'service_unavailable',
    504: 'gateway_timeout',
  };
  return codes[status] ?? `http_${status}`;
}

/** Sends a JSON body with a status. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Sends an HttpError as its JSON body. */
export function sendError(response: ServerResponse, error: HttpError): void {
  const body: ErrorBody = { status: error.status, error: error.code, message: error.message };
  sendJson(response, error.status, body, { ...error.headers });
}

/** The largest request body accepted: commands are text, not uploads. */
export const maxBodyBytes = 1024 * 1024;

/** Reads a JSON object body; an empty body is `{}`. Throws HttpError 400/413. */
export async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new HttpError(413, 'payload_too_large', `request body is larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'bad_request', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
