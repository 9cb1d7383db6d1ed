#!/usr/bin/env bash
# Debian packages lbt uses when present: graphviz (renders `lbt draw` to PNG/SVG).
# Installed when running as root on Debian; everything else works without them.
set -uo pipefail
if command -v dot >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
        || echo "note: could not install graphviz; drawings will be written as .dot only" >&2
else
    echo "note: graphviz (dot) not installed; drawings will be written as .dot only" >&2
fi
exit 0
