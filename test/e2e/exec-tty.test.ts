/**
 * `exec` on a pseudo-terminal (tmux): -i forwards what is typed line by line and Ctrl-D sends EOF;
 * Ctrl-C with --interrupt reaches the remote command and a second one detaches; with
 * --kill-on-interrupt the command is killed and its last output shown. Every Ctrl-C waits until the
 * remote command has printed its marker.
 */
import { describe, expect, it } from 'vitest';
import { localServerForFile } from '../helpers/local-server.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { Screen, cliCommand } from '../helpers/tty.js';

const local = localServerForFile({ start: { killGraceMs: 500 } });
const env = () => local.env({ TERM: 'xterm-256color', CI: 'true' });

async function untilScreen(screen: Screen, predicate: (text: string) => boolean, what: string, timeoutMs = PATIENCE_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await screen.capture();
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function onScreen(args: readonly string[], steps: (screen: Screen) => Promise<void>): Promise<string> {
  const screen = new Screen();
  try {
    await screen.start(cliCommand(args, env()));
    await steps(screen);
    await screen.ended();
    return await screen.capture();
  } finally {
    await screen.close();
  }
}

describe('exec on a terminal', () => {
  it('-i forwards each typed line as it is entered; Ctrl-D sends EOF', async () => {
    const text = await onScreen(['exec', '-i', 'dbx_local', '--', 'while read line; do echo "got <$line>"; done; echo "eof"'], async (screen) => {
      await screen.keys('hello world', 'Enter');
      await untilScreen(screen, (t) => t.includes('got <hello world>'), 'the first line echoed by the remote command');
      await screen.keys('second', 'Enter');
      await untilScreen(screen, (t) => t.includes('got <second>'), 'the second line');
      await screen.keys('C-d');
    });
    expect(text).toContain('eof');
    expect(text).toContain('__status=0');
  });

  it('without -i a terminal is not forwarded: the command reads end-of-file', async () => {
    const text = await onScreen(['exec', 'dbx_local', '--', 'cat; echo "[read nothing]"'], () => Promise.resolve());
    expect(text).toContain('[read nothing]');
    expect(text).toContain('__status=0');
  });

  it('--interrupt: Ctrl-C reaches the remote command, which handles it', async () => {
    const text = await onScreen(['exec', '--interrupt', 'dbx_local', '--', `trap 'echo caught; exit 7' INT; echo ready; while :; do sleep 0.05; done`], async (screen) => {
      await untilScreen(screen, (t) => t.includes('ready'), 'ready');
      await screen.keys('C-c');
    });
    expect(text).toContain('caught');
    expect(text).toContain('__status=7');
  });

  it('--interrupt: a second Ctrl-C detaches and prints how to resume (exit 130, the command keeps running)', async () => {
    const text = await onScreen(['exec', '--interrupt', 'dbx_local', '--', `trap 'echo ignored' INT; echo ready; while :; do sleep 0.05; done`], async (screen) => {
      await untilScreen(screen, (t) => t.includes('ready'), 'ready');
      await screen.keys('C-c');
      await untilScreen(screen, (t) => t.includes('ignored') && t.includes('sent Ctrl-C'), 'the first Ctrl-C handled remotely');
      await screen.keys('C-c');
    });
    expect(text).toMatch(/resume with: runloop-tail dbx_local (exn_\w+)/);
    expect(text).toContain('__status=130');
    const id = /resume with: runloop-tail dbx_local (exn_\w+)/.exec(text)?.[1] ?? '';
    const view = await fetch(`${local.server.url}/v1/devboxes/dbx_local/executions/${id}`, { headers: { authorization: `Bearer ${local.server.apiKey}` } }).then(
      (r) => r.json() as Promise<{ status: string }>,
    );
    expect(view.status).toBe('running');
    await fetch(`${local.server.url}/v1/devboxes/dbx_local/executions/${id}/kill`, { method: 'POST', headers: { authorization: `Bearer ${local.server.apiKey}` } });
  });

  it('--kill-on-interrupt: Ctrl-C kills the command, its last output is shown, the exit status is its (143)', async () => {
    const text = await onScreen(['exec', '--kill-on-interrupt', 'dbx_local', '--', `trap 'echo bye; exit 143' TERM; echo ready; while :; do sleep 0.05; done`], async (screen) => {
      await untilScreen(screen, (t) => t.includes('ready'), 'ready');
      await screen.keys('C-c');
    });
    expect(text).toMatch(/killed exn_\w+ \(its process group\)/);
    expect(text).toContain('bye');
    expect(text).toContain('__status=143');
  });
});
