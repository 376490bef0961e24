// Loaded with `node --import` by bench/cli.js: records the process's peak RSS
// (KiB) on exit, and, when SVC_CPU_FILE names a file, its CPU time (user +
// system, ms): on a busy machine a steadier figure than the wall time.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.SVC_RSS_FILE) writeFileSync(process.env.SVC_RSS_FILE, String(usage.maxRSS));
  if (process.env.SVC_CPU_FILE) writeFileSync(process.env.SVC_CPU_FILE, String((usage.userCPUTime + usage.systemCPUTime) / 1000));
});
