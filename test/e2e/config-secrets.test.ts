/**
 * The key never appears in any output: a hostile server that echoes the bearer token in its
 * bodies and headers, a follow with --verbose (and --json), every byte of stdout and stderr searched.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { baseEnv, runCli, type CliResult } from '../helpers/run-cli.js';
import { listenOnLoopback, type Listening } from '../helpers/loopback.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const KEY = 'rk_Q7vX2mZp9LwT4nB8cY3hJ6dF1gZQXW'; // no 5-character run of it occurs in ids, paths or messages

const temp = tempDirForFile('runloop-tail-secrets-e2e-');
let server: Listening | undefined;
let baseUrl: string;

beforeAll(async () => {
  // Every path answers with the status named in it (/401/v1/…), echoing the Authorization header.
  server = await listenOnLoopback(
    http.createServer((request, response) => {
      const status = Number(/^\/(\d{3})\//.exec(request.url ?? '')?.[1] ?? 500);
      const auth = request.headers.authorization ?? '';
      response.writeHead(status, { 'content-type': 'application/json', 'x-echo': auth, 'www-authenticate': auth });
      response.end(JSON.stringify({ message: `rejected ${auth}`, key: auth.replace(/^Bearer /, '') }));
    }),
  );
  baseUrl = server.url;
});
afterAll(async () => {
  await server?.close();
});

function expectNoKey(result: CliResult, expect: ExpectStatic): void {
  const everything = Buffer.concat([result.stdout, result.stderr]);
  expect(everything.length).toBeGreaterThan(0);
  expect(everything.includes(KEY), everything.toString()).toBe(false);
  for (let start = 0; start + 5 <= KEY.length; start++) {
    expect(everything.includes(KEY.slice(start, start + 5)), `${KEY.slice(start, start + 5)} in ${everything.toString()}`).toBe(false);
  }
}

type Origin = 'flag' | 'env' | 'store';

async function follow(origin: Origin, status: number, extra: readonly string[], expect: ExpectStatic): Promise<CliResult> {
  const xdg = fs.mkdtempSync(path.join(temp, 'xdg-'));
  const env = baseEnv({ XDG_CONFIG_HOME: xdg, ...(origin === 'env' ? { RUNLOOP_API_KEY: KEY } : {}) });
  if (origin === 'store') {
    const set = await runCli(['config', 'set', 'api-key'], { env, input: `${KEY}\n` });
    expect(set.status).toBe(0);
  }
  const args = ['dbx_secret', 'exn_secret', '--base-url', `${baseUrl}/${status}`, '--max-retries', '1', '--verbose', ...extra];
  if (origin === 'flag') args.push('--api-key', KEY);
  return runCli(args, { env });
}

// Each case has its own config folder and the server keeps no state: a few run at a time.
describe.concurrent('a faulty follow with --verbose never prints the key', () => {
  const origins: Origin[] = ['flag', 'env', 'store'];
  const statuses = [401, 403, 404, 500];
  for (const origin of origins) {
    for (const status of statuses) {
      for (const extra of [[], ['--json']]) {
        it(`key from ${origin}, server answers ${status}${extra.length ? ` with ${extra.join(' ')}` : ''}`, async ({ expect }) => {
          const result = await follow(origin, status, extra, expect);
          expect(result.status).not.toBe(0);
          expect(result.stderr.toString()).toContain('api key: ****ZQXW from ');
          expectNoKey(result, expect);
        });
      }
    }
  }
});

describe('refused before anything is contacted', () => {
  it('http:// to a host that is not loopback: exit 2, the --insecure way named, no key', async () => {
    const result = await runCli(['dbx_1', 'exn_1', '--base-url', 'http://api.example.invalid'], {
      env: baseEnv({ XDG_CONFIG_HOME: temp, RUNLOOP_API_KEY: KEY }),
    });
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toContain('--insecure');
    expectNoKey(result, expect);
  });

  it('no key anywhere: exit 2, one line naming the three ways', async () => {
    const result = await runCli(['dbx_1', 'exn_1'], { env: baseEnv({ XDG_CONFIG_HOME: path.join(temp, 'empty') }) });
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toBe(
      'runloop-tail: no API key: pass --api-key, set RUNLOOP_API_KEY, or run runloop-tail config set api-key\n',
    );
  });

  it('the key put in RUNLOOP_BASE_URL by mistake is not quoted back', async () => {
    const result = await runCli(['dbx_1', 'exn_1', '--api-key', KEY], {
      env: baseEnv({ XDG_CONFIG_HOME: temp, RUNLOOP_BASE_URL: KEY }),
    });
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toMatch(/^runloop-tail: RUNLOOP_BASE_URL is not a valid http\(s\) URL/);
    expectNoKey(result, expect);
  });
});
