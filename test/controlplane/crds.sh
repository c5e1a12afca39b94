#!/usr/bin/env bash
# Gathers the real upstream CRD manifests into the cache, at test time, from
# Go modules on the module proxy (the only place this machine can get them),
# so that e2e tests validate against upstream schemas and nothing upstream is
# committed here. Prints the directory holding the *.yaml on the last stdout
# line. CRDs no served module ships live in test/controlplane/crds/ instead.
set -euo pipefail

# Pinned: a moving @latest would change schemas under the tests' feet.
# istio.io/istio has no semver tags (its tags lack the "v"), so pseudo-versions.
ISTIO="istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad"
# The IstioOperator CRD left istio.io/istio with the in-cluster operator
# (1.24); this Feb 2024 commit still ships it.
ISTIO_OPERATOR="istio.io/istio@v0.0.0-20240221233722-55f12a68b4f9"
CERT_MANAGER="github.com/cert-manager/cert-manager@v1.21.2"
# sigs.k8s.io/wg-policy-prototypes is not served; Kyverno ships the
# wgpolicyk8s.io/v1alpha2 PolicyReport CRDs as plain (untemplated) files.
KYVERNO="github.com/kyverno/kyverno@v1.19.1"

CACHE="${MESHGUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshguard}"
key=$(printf '%s\n' "$ISTIO" "$ISTIO_OPERATOR" "$CERT_MANAGER" "$KYVERNO" | sha256sum | cut -c1-12)
OUT="$CACHE/crds/$key"
log() { printf '[crds] %s\n' "$*" >&2; }

if [[ -f "$OUT/.complete" ]]; then echo "$OUT"; exit 0; fi

export GOFLAGS=-mod=mod GOTOOLCHAIN=local
mkdir -p "$CACHE/crds"
tmp=$(mktemp -d "$CACHE/crds.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# go mod download needs no enclosing module and leaves a read-only tree in
# GOMODCACHE; we only copy files out of it.
moddir() {
  log "downloading $1"
  local out dir
  out=$(cd "$tmp" && go mod download -json "$1" 2>&1) || { log "go mod download $1 failed:"; echo "$out" >&2; exit 1; }
  dir=$(sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' <<<"$out")
  [[ -d "$dir" ]] || { log "go mod download $1 gave no Dir:"; echo "$out" >&2; exit 1; }
  echo "$dir"
}
take() { # src dest-name
  [[ -f "$1" ]] || { log "expected file missing upstream: $1"; exit 1; }
  # Refuse helm-templated files: kubectl cannot apply them.
  if grep -q '{{' "$1"; then log "$1 is templated; not usable as-is"; exit 1; fi
  cp "$1" "$tmp/$2"; chmod u+w "$tmp/$2"
  echo "${3:-?}  $(basename "$1") -> $2" >>"$tmp/SOURCES"
}

d=$(moddir "$ISTIO")
take "$d/manifests/charts/base/files/crd-all.gen.yaml" istio-crd-all.gen.yaml "$ISTIO manifests/charts/base/files"
d=$(moddir "$ISTIO_OPERATOR")
take "$d/manifests/charts/istio-operator/crds/crd-operator.yaml" istio-operator.yaml "$ISTIO_OPERATOR manifests/charts/istio-operator/crds"
d=$(moddir "$CERT_MANAGER")
for f in "$d"/deploy/crds/*.yaml; do take "$f" "cert-manager-$(basename "$f")" "$CERT_MANAGER deploy/crds"; done
d=$(moddir "$KYVERNO")
for f in "$d"/config/crds/policyreport/wgpolicyk8s.io_*.yaml; do take "$f" "$(basename "$f")" "$KYVERNO config/crds/policyreport"; done

touch "$tmp/.complete"
rm -rf "$OUT" && mv "$tmp" "$OUT"
trap - EXIT
log "$(grep -c . "$OUT/SOURCES") upstream CRD files in $OUT"
echo "$OUT"
