#!/usr/bin/env bash
# Install the Debian packages the tests use, where they are missing (as root, with apt-get).
# Elsewhere it only says which are missing: the tests that need them skip, saying so, unless
# CI=true, where a missing tool fails the run.
set -euo pipefail
# tmux: the terminal tests; chromium: the browser tests (tests/_browser.py drives it);
# postgresql and redis-server: the web kit's stores and shared rate limits (tests/servers.py).
PACKAGES="tmux chromium postgresql redis-server"
missing=""
for package in $PACKAGES; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
# Java 17 or newer: the JVM of PySpark (pinkit.spark and its tests); any java on PATH will do.
java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  missing="$missing openjdk-17-jre-headless"
fi
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing Debian packages:$missing" >&2
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "missing Debian packages (the tests that need them will skip):$missing" >&2
fi
