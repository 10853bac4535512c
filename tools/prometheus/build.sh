#!/usr/bin/env bash
# Builds promtool and the Prometheus server from the official github.com/prometheus/prometheus Go module,
# once. The binaries land in a cache directory outside the repository, keyed by the version and the module
# files, and are reused while that key is unchanged. Prints the directory on stdout; progress, a cache hit or a wait for another build
# goes to stderr. `build.sh --version` prints the pinned Prometheus version instead.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module_version="$(sed -nE 's#^\s*(require )?github.com/prometheus/prometheus (v[0-9.]+).*$#\2#p' "$here/go.mod")"
# Module v0.MMmm.p is Prometheus vM.mm.p (v0.316.0 is v3.16.0).
release="${module_version#v0.}"; release="${release%%.*}"
version="v$((release / 100)).$((release % 100)).${module_version##*.}"
if [[ ${1:-} == --version ]]; then echo "$version"; exit 0; fi
source "$here/../control-plane/progress.sh"
# The key covers what makes the binary: the module files and this script (its build flags).
sum="$(cat "$here"/go.{mod,sum} "$0" | sha256sum | cut -c1-12)"
cache_root="${ROAST_PROMETHEUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/roast-operator/prometheus}"
out="$cache_root/prometheus-$version-$sum"
source "$here/../control-plane/cache.sh"
cache_open prometheus "$out" "promtool and prometheus $version"
echo "prometheus: building promtool and prometheus $version from the official Go module into $out," \
  "once: later runs reuse it" >&2
stamp="-X github.com/prometheus/common/version.Version=${version#v}"
progress_init 2
# remove_all_sd leaves out the service-discovery plugins (cloud SDKs): rules, their tests and a scrape of
# static or file_sd targets need none. Without the builtinassets tag the server embeds no web UI (whose build
# needs Node and a frontend toolchain): its HTTP API, scraping and rule evaluation are all there, and the UI
# pages answer with an error.
for cmd in promtool prometheus; do
  progress_run "$cmd $version" go -C "$here" build -trimpath -tags remove_all_sd -ldflags "-s -w $stamp" \
    -o "$cache_partial/$cmd" "github.com/prometheus/prometheus/cmd/$cmd"
done
cache_close
