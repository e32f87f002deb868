// The benchmark's follower written with the official SDK, the way its README suggests: both stream
// helpers side by side, each chunk's output written to stdout / stderr (with back-pressure, as a
// careful user would), then the execution's exit status as ours.
//   node bench/bench-sdk-follower.mjs <base-url> <devbox-id> <execution-id>   (key in RUNLOOP_API_KEY)
import Runloop from '@runloop/api-client';

const [baseURL, devboxId, executionId] = process.argv.slice(2);
const client = new Runloop({ baseURL, bearerToken: process.env.RUNLOOP_API_KEY, http2: false, timeout: 30 * 60_000 });
const executions = client.devboxes.executions;

async function follow(stream, output) {
  for await (const chunk of stream) {
    if (!output.write(chunk.output)) await new Promise((resolve) => output.once('drain', resolve));
  }
}

await Promise.all([
  executions.streamStdoutUpdates(devboxId, executionId).then((stream) => follow(stream, process.stdout)),
  executions.streamStderrUpdates(devboxId, executionId).then((stream) => follow(stream, process.stderr)),
]);
const view = await executions.awaitCompleted(devboxId, executionId);
process.exitCode = view.exit_status ?? 0;
