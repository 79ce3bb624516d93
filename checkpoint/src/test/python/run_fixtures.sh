#!/usr/bin/env bash
# Regenerates the reference fixtures under ../resources/fixtures by running the original code.
# Needs Debian's python3-torch (and friends, see README.md) and the sources exported by prepare_sources.sh.
#   ./run_fixtures.sh            # all fixtures
#   ./run_fixtures.sh sd1        # only gen_sd1.py (or: sd2; cli-sd1 / cli-sd2 for gen_cli.py;
#                                #   lora-sd1 / lora-sd2 for gen_lora.py, after sd1 / sd2;
#                                #   embedding for gen_embedding.py, after cli-sd1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export REF_SRC="${REF_SRC:-/tmp/ldm4j-ref-src}"
export PYTHONDONTWRITEBYTECODE=1
export PYTHONHASHSEED=0
PY="${PYTHON:-/usr/bin/python3}"
which="${1:-all}"
if [ "$which" = all ] || [ "$which" = sd1 ]; then
  PYTHONPATH="$here/stubs:$REF_SRC/einops:$REF_SRC/clip:$REF_SRC/sd1" "$PY" "$here/gen_sd1.py"
fi
if [ "$which" = all ] || [ "$which" = sd2 ]; then
  PYTHONPATH="$here/stubs:$REF_SRC/einops:$REF_SRC/open_clip/src:$REF_SRC/sd2" "$PY" "$here/gen_sd2.py"
fi
if [ "$which" = all ] || [ "$which" = cli-sd1 ]; then
  PYTHONPATH="$here/stubs:$REF_SRC/einops:$REF_SRC/clip:$REF_SRC/sd1" "$PY" "$here/gen_cli.py" sd1
fi
if [ "$which" = all ] || [ "$which" = cli-sd2 ]; then
  PYTHONPATH="$here/stubs:$REF_SRC/einops:$REF_SRC/open_clip/src:$REF_SRC/sd2" "$PY" "$here/gen_cli.py" sd2
fi
if [ "$which" = all ] || [ "$which" = lora-sd1 ]; then
  PYTHONPATH="$here/stubs:$REF_SRC/einops:$REF_SRC/clip:$REF_SRC/sd1" "$PY" "$here/gen_lora.py" sd1
fi
if [ "$which" = all ] || [ "$which" = lora-sd2 ]; then
  PYTHONPATH="$here/stubs:$REF_SRC/einops:$REF_SRC/open_clip/src:$REF_SRC/sd2" "$PY" "$here/gen_lora.py" sd2
fi
if [ "$which" = all ] || [ "$which" = embedding ]; then  # after cli-sd1 (reads its checkpoint)
  PYTHONPATH="$here/stubs:$REF_SRC/clip" "$PY" "$here/gen_embedding.py"
fi
