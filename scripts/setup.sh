#!/usr/bin/env bash
# Installs what svc needs to build and test on a fresh machine:
#   - Node.js 22 when the machine's is older (the npm package node@22 ships the binary, into .tools/);
#   - the npm packages (npm ci, which also builds dist/);
#   - and it checks that Go is there (generated services need Go 1.22+).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x .tools/node22/node_modules/node/bin/node ]; then
    echo "setup: installing Node.js 22 into .tools/node22 (machine has $(node --version 2>/dev/null || echo none))"
    mkdir -p .tools/node22
    npm install --no-save --no-audit --no-fund --prefix .tools/node22 node@22 >/dev/null
  fi
  export PATH="$PWD/.tools/node22/node_modules/node/bin:$PATH"
fi
echo "setup: node $(node --version)"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
else
  npm run build --silent
fi

if command -v go >/dev/null 2>&1; then
  echo "setup: $(go version)"
else
  echo "setup: go is not on PATH: install Go 1.22 or newer to build generated services" >&2
fi
