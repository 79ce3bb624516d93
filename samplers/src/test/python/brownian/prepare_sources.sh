#!/usr/bin/env bash
# Exports the pinned commits of this folder's sources.txt into $REF_SRC (default /tmp/ldm4j-brownian-src)
# with the checkpoint module's exporter (one folder per name, each with a COMMIT file; $GIT_<NAME> points at a
# local clone or bare mirror, else the repository is cloned). Nothing of the exported code is copied into ldm4j.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
REF_SRC="${REF_SRC:-/tmp/ldm4j-brownian-src}" SOURCES="$here/sources.txt" \
  exec "$here/../../../../../checkpoint/src/test/python/prepare_sources.sh"
