#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from the official Go modules, once.
# The binaries land in a cache directory outside the repository, keyed by the versions and the module
# files, and are reused while that key is unchanged. Prints the directory on stdout; progress, a cache hit
# or a wait for another build goes to stderr. `build.sh --versions` prints the pinned Kubernetes and etcd
# versions instead.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
k8s_version="$(sed -nE 's/^require k8s.io\/kubernetes (v[0-9.]+)$/\1/p' "$here/kubernetes/go.mod")"
etcd_version="$(sed -nE 's/^require go.etcd.io\/etcd\/server\/v3 (v[0-9.]+)$/\1/p' "$here/etcd/go.mod")"
if [[ ${1:-} == --versions ]]; then echo "$k8s_version $etcd_version"; exit 0; fi
source "$here/progress.sh"
# The key covers what makes the binaries: the modules, etcd's main and this script (its build flags).
# progress.sh is left out: how a build reports itself does not change what it builds.
sum="$(cat "$here"/kubernetes/go.{mod,sum} "$here"/etcd/go.{mod,sum} "$here"/etcd/main.go "$0" | sha256sum | cut -c1-12)"
cache_root="${ROAST_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/roast-operator/control-plane}"
out="$cache_root/k8s-$k8s_version-etcd-$etcd_version-$sum"
binaries="etcd $etcd_version, kube-apiserver, kube-controller-manager and kubectl $k8s_version"
cached() {
  echo "control-plane: cache hit: $binaries in $out" >&2
  echo "$out"
  exit 0
}
# A finished build is renamed into place whole, so its marker needs no lock.
if [[ -f "$out/.complete" ]]; then cached; fi
mkdir -p "$cache_root"
# One build at a time: concurrent callers wait for the first one and then reuse its result.
exec 9>"$out.lock"
if ! flock -n 9; then
  echo "control-plane: waiting for another process building $binaries into $out" >&2
  flock 9
fi
if [[ -f "$out/.complete" ]]; then cached; fi

echo "control-plane: building $binaries from the official Go modules into $out," \
  "once: later runs reuse them (about 6 minutes on two cores)" >&2
rm -rf "$out.partial" && mkdir -p "$out.partial"
major="${k8s_version#v}"; major="${major%%.*}"
minor="${k8s_version#v*.}"; minor="${minor%%.*}"
stamp=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
progress_init 4
progress_run "etcd $etcd_version" go -C "$here/etcd" build -trimpath -ldflags "-s -w" -o "$out.partial/etcd" .
for cmd in kube-apiserver kube-controller-manager kubectl; do
  progress_run "$cmd $k8s_version" go -C "$here/kubernetes" build -trimpath -ldflags "-s -w $stamp" \
    -o "$out.partial/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
touch "$out.partial/.complete"
rm -rf "$out" && mv "$out.partial" "$out"
echo "control-plane: built in $out" >&2
echo "$out"
