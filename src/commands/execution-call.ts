/**
 * What `status` and `kill` share: the settings options, and one call about an execution retried
 * through transient failures, its answer checked and, with --json, printed as the service's view.
 * Each command keeps only its own: the request, and what it prints or exits with from the view.
 */
import { Option, type Command } from 'commander';
import type { ExecutionView } from '../api/client.js';
import type { ExecutionRef } from '../api/wire.js';
import { validateId } from '../api/ids.js';
import type { Io } from '../io.js';
import { DEFAULT_MAX_RETRIES, addSettingsOptions, maxRetriesOption } from './follow-options.js';
import { parseCount } from './values.js';

/** The flags of a one-call command. */
export interface CallFlags {
  apiKey?: string;
  baseUrl?: string;
  insecure?: boolean;
  maxRetries?: string;
  json?: boolean;
}

/** Adds the settings options, --max-retries and --json. */
export function addCallOptions(command: Command, jsonHelp: string): Command {
  return addSettingsOptions(command).addOption(maxRetriesOption()).addOption(new Option('--json', jsonHelp));
}

/**
 * JSON text safe for a terminal: JSON.stringify leaves DEL and the C1 controls (U+007F–U+009F) as
 * they are, and some terminals act on C1; as `\u` escapes they are still the same JSON value.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Validates the ids and the flags, resolves the settings, and gives the call what it needs. */
async function prepareCall(io: Io, devboxId: string, executionId: string, flags: CallFlags) {
  const ids = { devboxId: validateId('devbox id', devboxId), executionId: validateId('execution id', executionId) };
  // Checked as commander parsed it; converted here.
  const maxRetries = parseCount('--max-retries', flags.maxRetries ?? String(DEFAULT_MAX_RETRIES));
  const { resolveSettings } = await import('../settings/resolve.js');
  const insecure = flags.insecure === true;
  const settings = await resolveSettings({ flags: { apiKey: flags.apiKey, baseUrl: flags.baseUrl, insecure }, env: io.env });
  // The same proxy and CA rules as a follow: every request of the tool goes out one way.
  const { networkFor } = await import('./network.js');
  const { transport } = networkFor(io.env, settings.baseUrl, insecure);
  return { ...ids, maxRetries, target: { baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport } };
}

/** What a one-call command asks the service about an execution. */
export interface ExecutionRequest {
  /** The call in the service's messages: 'execution status', 'kill'. */
  readonly what: string;
  /** The call in the retry's message: 'the status request'. */
  readonly request: string;
  /** After the execution's URL: '' for its view, '/kill'. */
  readonly path?: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
}

/** The service's answer: the execution's view, read and checked. */
export interface ExecutionAnswer extends ExecutionRef {
  readonly view: ExecutionView;
}

/**
 * Sends one call about an execution, retried through transient failures (each call here may be
 * sent twice: a view is read again, and killing twice does no harm, so a kill whose answer was
 * lost is simply sent again), and checks the view it answers with; with --json it prints that
 * view as the service sent it. Failures are TailErrors of their kind, for the one error table.
 */
export async function callExecution(io: Io, devboxId: string, executionId: string, flags: CallFlags, request: ExecutionRequest): Promise<ExecutionAnswer> {
  const call = await prepareCall(io, devboxId, executionId, flags);
  const { asExecutionView, callJson, executionUrl, VIEW_FIELDS } = await import('../api/client.js');
  // Without --json only the status fields are read (bounded memory: a completed view carries output).
  const fields = flags.json === true ? undefined : VIEW_FIELDS;
  const { retryTransient } = await import('../api/retry.js');
  const subject = { devboxId: call.devboxId, executionId: call.executionId, what: request.what };
  const url = executionUrl(call.target, call.devboxId, call.executionId, request.path);
  const raw = await retryTransient(
    request.request,
    () => callJson(call.target, url, subject, { method: request.method, body: request.body, signal: io.signal, fields }),
    { maxRetries: call.maxRetries, signal: io.signal },
  );
  const view = asExecutionView(raw, request.what);
  if (flags.json === true) io.stdout.write(`${terminalSafeJson(raw)}\n`);
  return { devboxId: call.devboxId, executionId: call.executionId, view };
}
