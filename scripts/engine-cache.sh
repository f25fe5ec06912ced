#!/usr/bin/env bash
# A per-user cache of the engines' Linux builds (JerryScript, Espruino) and of tap's plugin
# build, like ccache for the Makefile: a fresh clone on a machine that built them once copies
# them instead of building them again (about 100 s of CPU for the engines, 10 s for tap). The key covers the source tarballs,
# the build flags, the compiler and the machine, so a change to any of them builds afresh.
#
#   engine-cache.sh restore <key> <name> <dir>              exit 1 when not cached
#   engine-cache.sh save    <key> <name> <dir> <subdir>...  keep <dir>/<subdir>... under <name>
#
# Location: $RING_ENGINES_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/ring-sim/engines.
# RING_ENGINES_CACHE=off turns it off (every clone builds its own engines).
set -euo pipefail
op=${1:?usage: engine-cache.sh restore|save <key> <name> <dir> [subdir...]}
key=${2:?key}
name=${3:?name}
dir=${4:?dir}
shift 4
root=${RING_ENGINES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ring-sim/engines}
[ "$root" = off ] && exit 1
entry="$root/$key/$name"
case "$op" in
  restore)
    [ -f "$entry/.complete" ] || exit 1
    mkdir -p "$dir"
    cp -a "$entry/." "$dir/"
    rm -f "$dir/.complete"
    echo "build cache: $name from $entry" >&2
    ;;
  save)
    # Best effort: a read-only or full cache never fails the build.
    tmp="$entry.tmp.$$"
    { rm -rf "$tmp" && mkdir -p "$tmp" \
      && for sub in "$@"; do mkdir -p "$tmp/$(dirname "$sub")" && cp -a "$dir/$sub" "$tmp/$sub"; done \
      && touch "$tmp/.complete" && rm -rf "$entry" && mv "$tmp" "$entry"; } 2>/dev/null || rm -rf "$tmp"
    ;;
  *)
    echo "engine-cache.sh: unknown operation '$op'" >&2
    exit 2
    ;;
esac
