#!/usr/bin/env bash
# Exports the pinned commits listed in sources.txt (or the file $SOURCES names) into $REF_SRC (default
# /tmp/ldm4j-ref-src), one folder per name, each with a COMMIT file. Nothing of the exported code is copied
# into ldm4j. (samplers/src/test/python/prepare_sources.sh calls this with its own list.)
#
# For each name, the git repository is taken from $GIT_<NAME> (e.g. GIT_SD1=/path/to/stable-diffusion/.git
# or a bare mirror); if unset, it is cloned from https://github.com/<repository>.git into $REF_SRC/.git-<name>.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${REF_SRC:-/tmp/ldm4j-ref-src}"
mkdir -p "$out"
grep -v '^#' "${SOURCES:-$here/sources.txt}" | while read -r name repo commit paths; do
  [ -n "$name" ] || continue
  var="GIT_$(echo "$name" | tr '[:lower:]' '[:upper:]')"
  gitdir="${!var:-}"
  if [ -z "$gitdir" ]; then
    gitdir="$out/.git-$name"
    [ -d "$gitdir" ] || git clone --bare --quiet "https://github.com/$repo.git" "$gitdir"
  fi
  rm -rf "${out:?}/$name" && mkdir -p "$out/$name"
  # shellcheck disable=SC2086
  git --git-dir="$gitdir" archive "$commit" $paths | tar -x -C "$out/$name"
  printf '%s %s\n' "$repo" "$(git --git-dir="$gitdir" rev-parse "$commit^{commit}")" > "$out/$name/COMMIT"
  echo "$name: $(cat "$out/$name/COMMIT")"
done
