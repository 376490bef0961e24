// The peers' generators the benches compare svc with, pinned in one place so
// that every bench measures the same versions. Each is kept in .tools/gobin
// as NAME-VERSION (a pin changed here installs the new one beside the old).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GOBIN = join(import.meta.dirname, '..', '.tools', 'gobin');

export const PEERS = {
  ogen: { pkg: 'github.com/ogen-go/ogen/cmd/ogen', version: 'v1.25.0' },
  'oapi-codegen': { pkg: 'github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen', version: 'v2.4.1' },
  goctl: { pkg: 'github.com/zeromicro/go-zero/tools/goctl', version: 'v1.10.2' },
};

/** Where peer name's pinned binary is kept, installed or not. */
export function peerPath(name) {
  return join(GOBIN, `${name}-${PEERS[name].version}`);
}

/**
 * The path of peer name's pinned binary, built first when missing: from a
 * throw-away module that requires it, since `go install pkg@version` also asks
 * the proxy for the module's version list, which it does not serve for goctl.
 * Throws when it cannot be built.
 */
export function installPeer(name) {
  const bin = peerPath(name);
  if (existsSync(bin)) return bin;
  const pin = PEERS[name];
  console.log(`installing ${name} ${pin.version} into .tools/gobin (once; minutes)...`);
  const dir = mkdtempSync(join(tmpdir(), `svc-bench-${name}-`));
  try {
    const go = (...args) => {
      const r = spawnSync('go', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' } });
      if (r.error || r.status !== 0) throw new Error(`go ${args.join(' ')}: ${r.error?.message ?? `${r.stdout}${r.stderr}`}`);
    };
    go('mod', 'init', `svcbench/tool-${name}`);
    go('get', `${pin.pkg}@${pin.version}`);
    mkdirSync(GOBIN, { recursive: true });
    go('build', '-trimpath', '-o', bin, pin.pkg);
    return bin;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
