#!/usr/bin/env bash
# Install the peers of scripts/bench/boolean_peers.py: ABC (Debian package
# berkeley-abc, as root) and cirbo (the `bench` extra of pyproject.toml, into
# the project's virtualenv).  Neither is a runtime dependency of lbt.
#
# cirbo goes into the same virtualenv as lbt: its requirements (python-sat,
# graphviz, sortedcontainers, typing-extensions at versions lbt already has,
# plus pebble and more-itertools) downgrade nothing lbt pins.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${LBT_VENV:-.venv}"

if ! command -v berkeley-abc >/dev/null 2>&1 && ! command -v abc >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq berkeley-abc >/dev/null) \
            || echo "note: could not install berkeley-abc; the benchmark will skip ABC" >&2
    else
        echo "note: ABC not installed (run as root on Debian: apt-get install -y berkeley-abc)" >&2
    fi
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet -e '.[bench]'
