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
# The key covers what makes the binaries: the modules, etcd's main, this script and cache.sh (the build
# flags and version stamps).
# progress.sh is left out: how a build reports itself does not change what it builds.
sum="$(cat "$here"/kubernetes/go.{mod,sum} "$here"/etcd/go.{mod,sum} "$here"/etcd/main.go "$0" "$here/cache.sh" | sha256sum | cut -c1-12)"
cache_root="${ROAST_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/roast-operator/control-plane}"
out="$cache_root/k8s-$k8s_version-etcd-$etcd_version-$sum"
binaries="etcd $etcd_version, kube-apiserver, kube-controller-manager and kubectl $k8s_version"
source "$here/cache.sh"
cache_open control-plane "$out" "$binaries"
echo "control-plane: building $binaries from the official Go modules into $out," \
  "once: later runs reuse them (about 6 minutes on two cores)" >&2
stamp="$(kubernetes_stamp "$k8s_version")"
progress_init 4
progress_run "etcd $etcd_version" go -C "$here/etcd" build -trimpath -ldflags "-s -w" -o "$cache_partial/etcd" .
for cmd in kube-apiserver kube-controller-manager kubectl; do
  progress_run "$cmd $k8s_version" go -C "$here/kubernetes" build -trimpath -ldflags "-s -w $stamp" \
    -o "$cache_partial/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
cache_close
