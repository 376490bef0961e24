import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { GO_ENV } from './go.js';
import { freePort } from './service.js';

/**
 * The real components the event and cache tests run against, each started
 * on a free loopback port for one test file and stopped after it:
 * nats-server with JetStream (installed into .tools/gobin by scripts/nats.sh),
 * Debian's redis-server, and a Kafka protocol implementation (franz-go's kfake
 * cluster, run as a process by test/support/kfake).
 */
export interface Component {
  /** How clients reach it: nats://127.0.0.1:port, 127.0.0.1:port. */
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export const NATS_SERVER = resolve('.tools/gobin/nats-server');

/** A missing component fails the test run in CI (CI=true) and skips its tests elsewhere. */
export function componentMissing(what: 'nats' | 'redis'): string | undefined {
  const missing = what === 'nats' ? (existsSync(NATS_SERVER) ? undefined : `${NATS_SERVER} (run scripts/nats.sh)`) : which('redis-server') ? undefined : 'redis-server (apt-get install redis-server)';
  if (missing && process.env.CI === 'true') throw new Error(`CI needs ${missing}`);
  return missing;
}

function which(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

/** Starts `cmd` and resolves once `ready` matches a line of its output. */
function start(cmd: string, args: string[], ready: RegExp, url: string, env: NodeJS.ProcessEnv = process.env): Promise<Component> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const output: string[] = [];
  const exited = new Promise<void>((ok) => proc.on('exit', () => ok()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      void stop();
      fail(new Error(`${cmd} did not start in 60s: ${output.join('\n')}`));
    }, 60_000);
    const onData = (b: Buffer) => {
      output.push(b.toString());
      if (ready.test(output.join(''))) {
        clearTimeout(timer);
        ok({ url, proc, stop });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${cmd} exited with ${code}: ${output.join('')}`));
    });
  });
}

export async function startNats(): Promise<Component> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'svc-nats-'));
  return start(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], /Server is ready/, `nats://127.0.0.1:${port}`);
}

export async function startRedis(): Promise<Component> {
  const port = await freePort();
  return start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/, `127.0.0.1:${port}`);
}

/** Builds test/support/kfake (once per process) and starts it: a Kafka cluster of one broker in a process. */
let kfakeBinary: Promise<string> | undefined;
export async function startKafka(): Promise<Component> {
  kfakeBinary ??= (async () => {
    const dir = resolve('test/support/kfake');
    const out = join(mkdtempSync(join(tmpdir(), 'svc-kfake-')), 'kfake');
    await execa('go', ['build', '-o', out, '.'], { cwd: dir, env: GO_ENV });
    return out;
  })();
  const bin = await kfakeBinary;
  const port = await freePort();
  return start(bin, ['-addr', `127.0.0.1:${port}`], /kfake listening/, `127.0.0.1:${port}`);
}
