#!/usr/bin/env bash
# Installs Helm, pinned, into .tools/gobin with `go install` (from the Go
# module proxy: no binary download), for the Helm chart tests
# (test/deploy/helm.test.ts runs `helm lint`, `helm template` and
# `helm dependency build` on the charts svc renders).
# Quick when the pinned version is already there: it reads the module version
# the binary was built from (`go version -m`), since a `go install`ed helm
# reports only "v4.3" as its own version.
# Building it takes about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_MODULE=helm.sh/helm/v4
HELM_VERSION=v4.3.2

if ! command -v go >/dev/null 2>&1; then
  echo "helm: go is not on PATH: cannot install helm $HELM_VERSION" >&2
  exit 1
fi

bin=.tools/gobin/helm
have="$(go version -m "$bin" 2>/dev/null | awk -v m="$HELM_MODULE" '$1 == "mod" && $2 == m { print $3 }' || true)"
if [ "$have" = "$HELM_VERSION" ]; then
  echo "setup: helm $HELM_VERSION (in .tools/gobin)"
  exit 0
fi

echo "setup: go install $HELM_MODULE/cmd/helm@$HELM_VERSION into .tools/gobin (a few minutes)"
mkdir -p .tools/gobin
GOBIN="$PWD/.tools/gobin" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go install "$HELM_MODULE/cmd/helm@$HELM_VERSION"
echo "setup: $("$bin" version --short) ($HELM_MODULE $HELM_VERSION)"
