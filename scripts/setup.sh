#!/usr/bin/env bash
# Installs what svc needs to build and test on a fresh machine:
#   - Node.js 22 when the machine's is older (the npm package node@22 ships the binary, into .tools/);
#   - the npm packages (npm ci), then dist/ (npm run build);
#   - and it checks that Go is there (generated services need Go 1.22+).
#   - protoc (Debian's protobuf-compiler, with apt-get as root) and the protoc
#     plugins protoc-gen-go and protoc-gen-go-grpc at the versions pinned in
#     src/tools/protoc.ts, with go install into .tools/gobin (where svc looks);
#   - helm (scripts/helm.sh: go install, pinned) for the Helm chart tests;
#   - schemathesis for the conformance test (scripts/schemathesis.sh: PyPI, pinned, venv in .tools/schemathesis).
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
fi
# The package builds in prepack (for npm pack and publish), not in prepare: npm ci does not build.
npm run build --silent

if command -v go >/dev/null 2>&1; then
  echo "setup: $(go version)"
else
  echo "setup: go is not on PATH: install Go 1.22 or newer to build generated services" >&2
fi

if ! command -v protoc >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing protoc (apt-get install protobuf-compiler)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq protobuf-compiler >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq protobuf-compiler >/dev/null; }
  else
    echo "setup: protoc is not on PATH; install it as root with: apt-get install protobuf-compiler" >&2
    exit 1
  fi
fi
echo "setup: $(protoc --version)"

# The plugin versions come from src/tools/protoc.ts (built into dist/ above).
if command -v go >/dev/null 2>&1; then
  mkdir -p .tools/gobin
  plugins="$(node --input-type=module -e "const m = await import('./dist/tools/protoc.js'); for (const p of m.PROTOC_PLUGINS) console.log(p.name, p.pkg, p.version);")"
  while read -r name pkg version; do
    have="$(".tools/gobin/$name" --version 2>/dev/null | awk '{print $NF}' || true)"
    if [ "v${have#v}" = "$version" ]; then
      echo "setup: $name $version (in .tools/gobin)"
    else
      echo "setup: go install $pkg@$version into .tools/gobin"
      GOBIN="$PWD/.tools/gobin" go install "$pkg@$version"
    fi
  done <<<"$plugins"
else
  echo "setup: go is not on PATH: cannot install protoc-gen-go and protoc-gen-go-grpc" >&2
fi

# golangci-lint v2, which the compile tests run over every generated fixture
# with the service's own .golangci.yml. It takes a few minutes to build, so it
# is installed in CI (CI=true) or when asked for (SVC_LINT=1); without it those
# checks are skipped locally.
# The version is svc's one pin of it (src/tools/pins.ts, built into dist/ above).
GOLANGCI_LINT_VERSION="$(node --input-type=module -e "const m = await import('./dist/tools/pins.js'); console.log(m.GOLANGCI_LINT_VERSION);")"
if command -v go >/dev/null 2>&1 && { [ "${CI:-}" = true ] || [ "${SVC_LINT:-}" = 1 ]; }; then
  have="$(.tools/gobin/golangci-lint version --short 2>/dev/null || true)"
  if [ "v${have#v}" = "$GOLANGCI_LINT_VERSION" ]; then
    echo "setup: golangci-lint $GOLANGCI_LINT_VERSION (in .tools/gobin)"
  else
    echo "setup: go install golangci-lint $GOLANGCI_LINT_VERSION into .tools/gobin"
    GOBIN="$PWD/.tools/gobin" GOTOOLCHAIN=local go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
  fi
fi

# Helm, pinned, built with go install into .tools/gobin, for the Helm chart
# tests (test/deploy/helm.test.ts); quick when already installed.
if command -v go >/dev/null 2>&1; then
  bash scripts/helm.sh
fi

# schemathesis (from PyPI, pinned, in its own virtual environment under .tools/)
# for the conformance test, test/go/conformance.test.ts.
bash scripts/schemathesis.sh
