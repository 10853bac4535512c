#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from the official Go modules, once.
# The binaries land in a cache directory outside the repository, keyed by the versions and the module
# files, and are reused while that key is unchanged. Prints the directory on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
k8s_version="$(sed -nE 's/^require k8s.io\/kubernetes (v[0-9.]+)$/\1/p' "$here/kubernetes/go.mod")"
etcd_version="$(sed -nE 's/^require go.etcd.io\/etcd\/server\/v3 (v[0-9.]+)$/\1/p' "$here/etcd/go.mod")"
sum="$(cat "$here"/kubernetes/go.{mod,sum} "$here"/etcd/go.{mod,sum} "$here"/etcd/main.go "$0" | sha256sum | cut -c1-12)"
cache_root="${ROAST_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/roast-operator/control-plane}"
out="$cache_root/k8s-$k8s_version-etcd-$etcd_version-$sum"
mkdir -p "$cache_root"
# One build at a time: concurrent test processes wait for the first one and then reuse its result.
exec 9>"$out.lock"
flock 9
if [[ -f "$out/.complete" ]]; then echo "$out"; exit 0; fi

rm -rf "$out.partial" && mkdir -p "$out.partial"
major="${k8s_version#v}"; major="${major%%.*}"
minor="${k8s_version#v*.}"; minor="${minor%%.*}"
stamp=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
start=$SECONDS
(cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$out.partial/etcd" .) >&2
echo "control-plane: etcd $etcd_version built in $((SECONDS - start)) s" >&2
for cmd in kube-apiserver kube-controller-manager kubectl; do
  start=$SECONDS
  (cd "$here/kubernetes" && go build -trimpath -ldflags "-s -w $stamp" -o "$out.partial/$cmd" "k8s.io/kubernetes/cmd/$cmd") >&2
  echo "control-plane: $cmd $k8s_version built in $((SECONDS - start)) s" >&2
done
touch "$out.partial/.complete"
rm -rf "$out" && mv "$out.partial" "$out"
echo "$out"
