/**
 * The devbox every local server has. A module of its own, with no imports, so that `serve`'s help
 * and export lines can name it without loading the server at start-up.
 */

/** The id of the devbox the local server always has (`--devbox` adds others). */
export const defaultDevboxId = 'dbx_local';
