/**
 * What every route handler gets: the request, its parsed path, and the server's state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Executions } from './executions.js';
import type { Faults } from './faults.js';

/** The server state the routes share. */
export interface ServerState {
  readonly executions: Executions;
  /** The current fault options (they may change while the server runs). */
  readonly faults: () => Faults;
  readonly waitHoldMs: number;
  readonly killGraceMs: number;
  /** Aborted when the server closes: long-polls and streams stop. */
  readonly closing: AbortSignal;
  /** Counts a stream connection. */
  readonly countConnection: () => void;
  /** Adds a note to the request's log line (e.g. how a stream ended). */
  readonly note: (response: ServerResponse, text: string) => void;
}

/** One request as a handler sees it. */
export interface RouteRequest {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly devboxId: string;
  /** Undefined for routes without an execution id. */
  readonly executionId: string | undefined;
  readonly state: ServerState;
}

export type RouteHandler = (route: RouteRequest) => Promise<void>;
