#!/usr/bin/env bash
# Exports the pinned commits of sources.txt into $REF_SRC (default /tmp/ldm4j-sampler-ref-src) with the
# checkpoint module's exporter (one folder per name, each with a COMMIT file). Local mirrors: GIT_<NAME>, e.g.
#   GIT_KDIFFUSION=/work/.mirror/crowsonkb+k-diffusion/repo GIT_SD1=... GIT_SD2=... GIT_TORCHSDE=... GIT_EINOPS=...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export REF_SRC="${REF_SRC:-/tmp/ldm4j-sampler-ref-src}"
SOURCES="$here/sources.txt" exec "$here/../../../../checkpoint/src/test/python/prepare_sources.sh"
