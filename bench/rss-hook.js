// Loaded with `node --import` by bench/cli.js: records the process's peak RSS (KiB) on exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.SVC_RSS_FILE) writeFileSync(process.env.SVC_RSS_FILE, String(process.resourceUsage().maxRSS));
});
