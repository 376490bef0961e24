#!/usr/bin/env bash
# Installs schemathesis (the property-based API tester, from PyPI) into its own
# virtual environment at .tools/schemathesis, for test/go/conformance.test.ts,
# which runs .tools/schemathesis/bin/st against generated services.
#   - the version is pinned (SCHEMATHESIS_VERSION below): a new release brings
#     new checks, and the bar is zero failures at a known version;
#   - the Python is the machine's python3 when it is 3.10 or newer and can make
#     a virtual environment, else a pyenv Python 3.12 (or python3.12 on PATH);
#   - safe to run again: when .tools/schemathesis/bin/st already reports the
#     pinned version, it does nothing (a fraction of a second).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
# The real path: the venv's scripts name their Python by absolute path, and
# .tools may be a symbolic link (git worktrees share one).
mkdir -p .tools
venv="$(cd .tools && pwd -P)/schemathesis"

have="$("$venv/bin/st" --version 2>/dev/null | awk '{print $NF}' || true)"
if [ "$have" = "$SCHEMATHESIS_VERSION" ]; then
  echo "setup: schemathesis $have (in $venv)"
  exit 0
fi

# A Python that is new enough and has the venv module; when the install fails
# with one (a dependency without wheels for it, say), the next is tried.
usable() {
  "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 10) else 1)' >/dev/null 2>&1
}
for candidate in "${SCHEMATHESIS_PYTHON:-}" python3 python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do
  [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && usable "$candidate" || continue
  echo "setup: installing schemathesis $SCHEMATHESIS_VERSION into $venv ($("$candidate" --version 2>&1))"
  rm -rf "$venv"
  if "$candidate" -m venv "$venv" &&
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" &&
    "$venv/bin/st" --version >/dev/null; then
    echo "setup: schemathesis $("$venv/bin/st" --version | awk '{print $NF}') (in $venv)"
    exit 0
  fi
  echo "setup: schemathesis did not install with $candidate" >&2
done
rm -rf "$venv"
echo "setup: could not install schemathesis $SCHEMATHESIS_VERSION: no Python 3.10+ with the venv module installed it (apt-get install python3-venv, or set SCHEMATHESIS_PYTHON)" >&2
exit 1
