# The build cache of the Go-module builds (control plane, node, promtool). Sourced by build scripts:
#
#   source cache.sh
#   cache_open control-plane "$cache_root/k8s-…-$sum" "etcd …, kube-apiserver …"   # a hit prints and exits
#   …build into "$cache_partial"…
#   cache_close
#
# A finished build is renamed into place whole, so its marker needs no lock; one build of a key at a time,
# and callers that find one under way wait for it and then reuse its result. Messages go to stderr; the
# build script's stdout is the directory. cache_open, cache_close, cache_partial and kubernetes_stamp are
# the interface; names starting with _cache are this file's own.

# cache_open <who> <directory> <what it holds>: exits 0 printing <directory> when it is complete already;
# otherwise takes the key's lock and leaves an empty "$cache_partial" to build into.
cache_open() {
  _cache_who=$1 _cache_out=$2 _cache_what=$3
  _cache_hit
  mkdir -p "$(dirname "$_cache_out")"
  exec 9>"$_cache_out.lock"
  if ! flock -n 9; then
    echo "$_cache_who: waiting for another process building $_cache_what into $_cache_out" >&2
    flock 9
  fi
  _cache_hit
  cache_partial="$_cache_out.partial"
  rm -rf "$cache_partial" && mkdir -p "$cache_partial"
}

# cache_close: marks the build complete, moves it into place and prints its directory.
cache_close() {
  touch "$cache_partial/.complete"
  rm -rf "$_cache_out" && mv "$cache_partial" "$_cache_out"
  echo "$_cache_who: built in $_cache_out" >&2
  echo "$_cache_out"
}

_cache_hit() {
  [[ -f "$_cache_out/.complete" ]] || return 0
  echo "$_cache_who: cache hit: $_cache_what in $_cache_out" >&2
  echo "$_cache_out"
  exit 0
}

# kubernetes_stamp <version>: the -ldflags -X settings that make a binary report a real Kubernetes version
# (component-base and client-go), so kubectl and Helm see one.
kubernetes_stamp() {
  local version=$1 major minor pkg stamp=""
  major="${version#v}"; major="${major%%.*}"
  minor="${version#v*.}"; minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    stamp+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$stamp"
}
