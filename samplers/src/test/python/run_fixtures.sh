#!/usr/bin/env bash
# Regenerates ../resources/fixtures/reference by running the original samplers (see README.md).
#   ./run_fixtures.sh          # all families;  ./run_fixtures.sh sd1  |  sd2  |  diffusers
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export REF_SRC="${REF_SRC:-/tmp/ldm4j-sampler-ref-src}"
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
PY="${PYTHON:-/usr/bin/python3}"
# the checkpoint module's stubs (pytorch_lightning, taming, ...) for importing CompVis' ddpm.py
common="$here/stubs:$here/../../../../checkpoint/src/test/python/stubs:$REF_SRC/einops:$REF_SRC/torchsde"
for family in ${1:-sd1 sd2 diffusers}; do
  PYTHONPATH="$common:$REF_SRC/$family" "$PY" "$here/gen_fixtures.py" "$family"
done
