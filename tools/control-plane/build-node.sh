#!/usr/bin/env bash
# Builds what a real node runs beside the control plane, once: kubelet, kube-scheduler and kube-proxy (the
# API server's module and version), containerd 2.x with its runc shim and ctr, CoreDNS for cluster DNS, and
# the pod sandbox's pause image (an OCI archive). runc, the CNI plugins, iptables and conntrack come from the
# distribution. Like build.sh, the result lands in a cache directory keyed by the versions and the module
# files, is reused while that key is unchanged, and its path is printed on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=progress.sh
source "$here/progress.sh"
module_version() { sed -nE "s#^(require )?\t?$2 (v[0-9.]+)( // indirect)?\$#\2#p" "$here/$1/go.mod" | head -1; }
k8s_version="$(module_version kubernetes k8s.io/kubernetes)"
containerd_version="$(module_version containerd github.com/containerd/containerd/v2)"
coredns_version="$(module_version coredns github.com/coredns/coredns)"
sum="$(cat "$here"/kubernetes/go.{mod,sum} "$here"/containerd/go.{mod,sum} "$here"/coredns/{go.mod,go.sum,main.go} \
  "$here"/pause/{go.mod,main.go} "$0" "$here/cache.sh" | sha256sum | cut -c1-12)"
cache_root="${ROAST_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/roast-operator/control-plane}"
out="$cache_root/node-k8s-$k8s_version-containerd-$containerd_version-coredns-$coredns_version-$sum"
# shellcheck source=cache.sh
source "$here/cache.sh"
cache_open node "$out" "kubelet, kube-scheduler, kube-proxy $k8s_version, containerd $containerd_version, CoreDNS $coredns_version"
for tool in runc iptables conntrack buildah; do
  command -v "$tool" >/dev/null || { echo "build-node: $tool is missing (apt-get install runc containernetworking-plugins iptables conntrack buildah)" >&2; exit 1; }
done

stamp="$(kubernetes_stamp "$k8s_version")"
go_build() { (cd "$here/$1" && shift && go build -trimpath "$@"); }
# The Kubernetes binaries build as build.sh builds the API server (cgo as the toolchain defaults), so they
# share its compiled packages; containerd, CoreDNS and pause are static.
static_build() { CGO_ENABLED=0 go_build "$@"; }

progress_init 6
ctd=github.com/containerd/containerd/v2
progress_run "containerd $containerd_version (containerd, containerd-shim-runc-v2, ctr)" \
  static_build containerd -tags 'urfave_cli_no_docs osusergo netgo static_build' \
  -ldflags "-s -w -X $ctd/version.Version=$containerd_version" \
  -o "$cache_partial/" "$ctd/cmd/containerd" "$ctd/cmd/containerd-shim-runc-v2" "$ctd/cmd/ctr"
progress_run "coredns $coredns_version" static_build coredns -ldflags "-s -w" -o "$cache_partial/coredns" .

# The pause image: the one static binary on an empty root, built without a daemon in a private store.
pause_image() {
  local store
  store="$(mktemp -d)"
  local -a bah=(buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs)
  static_build pause -ldflags "-s -w" -o "$store/pause" .
  local container
  container="$("${bah[@]}" from scratch)"
  "${bah[@]}" copy "$container" "$store/pause" /pause
  "${bah[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$container"
  "${bah[@]}" commit --quiet "$container" localhost/roast-operator/pause:1 >/dev/null
  "${bah[@]}" push --quiet localhost/roast-operator/pause:1 "oci-archive:$cache_partial/pause.oci.tar:localhost/roast-operator/pause:1"
  "${bah[@]}" rm --all >/dev/null
  rm -rf "$store"
}
progress_run "pause image" pause_image
# Last: they reuse most of what build.sh compiled for the API server.
for cmd in kubelet kube-scheduler kube-proxy; do
  progress_run "$cmd $k8s_version" go_build kubernetes -ldflags "-s -w $stamp" -o "$cache_partial/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
cache_close
