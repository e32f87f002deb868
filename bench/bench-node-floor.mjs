// The least a Node follower can do, for the benchmark's "Node floor" row: both streams from offset
// 0 over node:http, eventsource-parser on 16 KiB pieces decoded by TextDecoder (what runloop-tail
// does through eventsource), JSON.parse and Buffer.from per event, written to stdout / stderr.
// No offset bookkeeping, no reconnects: what runloop-tail adds is the difference. One status call at
// the end gives the remote exit status as its own, so the benchmark can check it like the others'.
//   node bench/bench-node-floor.mjs <base-url> <devbox-id> <execution-id>   (key in RUNLOOP_API_KEY)
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setFlagsFromString } from 'node:v8';
import { createParser } from 'eventsource-parser';

setFlagsFromString('--semi-space-growth-factor=1'); // as runloop-tail does, so memory compares
const [baseUrl, devboxId, executionId] = process.argv.slice(2);
const request = baseUrl.startsWith('https:') ? httpsRequest : httpRequest; // a server's own CA: NODE_EXTRA_CA_CERTS

function follow(stream, output) {
  const url = `${baseUrl}/v1/devboxes/${devboxId}/executions/${executionId}/stream_${stream}_updates?offset=0`;
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${process.env.RUNLOOP_API_KEY}`, accept: 'text/event-stream' } }, async (res) => {
      try {
        if (res.statusCode !== 200) throw new Error(`${stream}: HTTP ${res.statusCode}`);
        const parser = createParser({
          onEvent: (event) => output.write(Buffer.from(JSON.parse(event.data).output, 'utf8')),
        });
        const decoder = new TextDecoder();
        for await (const chunk of res) {
          for (let i = 0; i < chunk.length; i += 16384) parser.feed(decoder.decode(chunk.subarray(i, i + 16384), { stream: true }));
          if (output.writableNeedDrain) await new Promise((done) => output.once('drain', done));
        }
        resolve();
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
    req.end();
  });
}

await Promise.all([follow('stdout', process.stdout), follow('stderr', process.stderr)]);
const view = await new Promise((resolve, reject) => {
  const url = `${baseUrl}/v1/devboxes/${devboxId}/executions/${executionId}`;
  request(url, { headers: { authorization: `Bearer ${process.env.RUNLOOP_API_KEY}` } }, async (res) => {
    let body = '';
    for await (const chunk of res.setEncoding('utf8')) body += chunk;
    resolve(JSON.parse(body));
  })
    .on('error', reject)
    .end();
});
process.exitCode = view.exit_status ?? 255;
