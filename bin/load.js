// Loads svc's bundle (dist/bundle/svc.cjs) with V8's code cache of an earlier
// run of the same command. Node's own compile cache keeps only what V8
// compiles when a module loads, and V8 compiles a function when it is first
// called: most of svc's code, compiled again on every run (70 ms of a 300 ms
// `svc new`). A cache made when a run ends holds every function it called.
//
// One cache per command (`new`, `gen`, ...), in dist/.cache beside svc's
// other code caches (in the system's temporary folder when svc's own folder
// is read-only, as for a global install), written by the first run of the
// command that succeeds, again by a longer run that called much the cache
// lacks (until one adds little), and whenever V8 turns it down (another
// build of svc, another Node). A cache that cannot be read or written only
// costs the compiling it saves.
// SVC_CODE_CACHE=off or NODE_DISABLE_COMPILE_CACHE=1 turns it off, and so
// does SVC_DEBUG=1 (see loadBundle).
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GROWING = 0;
const STABLE = 1;
/** A run shorter than this does not check whether the cache should grow. */
const GROW_CHECK_MS = 150;
const BUNDLE = join(ROOT, 'dist', 'bundle', 'svc.cjs');

/** dist/.cache when svc may write there; otherwise a folder of this install's in the temporary folder. */
function cacheDir() {
  try {
    accessSync(join(ROOT, 'dist'), constants.W_OK);
    return join(ROOT, 'dist', '.cache');
  } catch {
    return join(tmpdir(), `svc-code-cache-${crc32(ROOT).toString(16)}`);
  }
}

/** The bundle's exports; `command` (the first argument) names the code cache used. */
export function loadBundle(command) {
  // Node maps the stack traces of modules it loads itself, not of scripts
  // compiled through vm: SVC_DEBUG=1's traces, which point into src/, go
  // without the cache.
  if (process.env.SVC_DEBUG) return createRequire(import.meta.url)(BUNDLE);
  const off = process.env.SVC_CODE_CACHE === 'off' || process.env.NODE_DISABLE_COMPILE_CACHE === '1';
  const cacheFile = join(cacheDir(), `v8-${/^[a-z]+$/.test(command ?? '') ? command : 'other'}.bin`);
  const bytes = readFileSync(BUNDLE);
  // V8 checks a cache against the length of the source only: the cache
  // starts with a checksum of the bundle it was made from, then whether it
  // may still grow (GROWING or STABLE).
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc32(bytes));
  let cachedData;
  let growing = true;
  if (!off) {
    try {
      const cache = readFileSync(cacheFile);
      if (cache.subarray(0, 4).equals(sum)) {
        growing = cache[4] === GROWING;
        cachedData = cache.subarray(5);
      }
    } catch {
      // None yet: this run makes it.
    }
  }
  // The wrapper Node gives a CommonJS module.
  const source = `(function (exports, require, module, __filename, __dirname) {${bytes.toString('utf8')}\n})`;
  const script = new Script(source, { filename: BUNDLE, cachedData });
  const missing = cachedData === undefined || script.cachedDataRejected;
  if (!off && (missing || growing)) {
    const started = performance.now();
    process.once('exit', (code) => {
      if (code !== 0) return;
      if (missing) return save(cacheFile, sum, GROWING, script.createCachedData());
      // A long run on a cache made by a shorter one (the replay of `svc gen
      // api` before a full run, a starter before a proto contract) called
      // functions the cache lacks: it is written again with them. The first
      // long run that adds little leaves it as it is for good, so that runs
      // pay for the check only while the cache grows.
      if (performance.now() - started < GROW_CHECK_MS) return;
      const data = script.createCachedData();
      save(cacheFile, sum, data.length > cachedData.length * 1.05 ? GROWING : STABLE, data);
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return module.exports;
}

/** Writes a cache file (a temporary file, then a rename); never throws. */
function save(file, sum, state, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, Buffer.concat([sum, Buffer.of(state), data]));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // A folder svc cannot write to holds no temporary file.
    }
  }
}
