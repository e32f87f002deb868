// Preloaded into a CLI child (node --import): on exit, writes the process's peak resident set size
// (getrusage's ru_maxrss, in KiB) to the file named by PEAK_RSS_FILE. The child's own figure, not
// the test worker's.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
