#!/usr/bin/env bash
# Builds (once) the binaries the e2e control plane needs, from the Go module
# proxy, and prints the bin dir on the last stdout line. Progress goes to stderr.
#
# Why build from source: this machine reaches package registries only (no
# release tarballs, no Docker), and the Go module proxy serves every piece.
# Binaries are cached by version, so only the first run (per machine, per
# version bump) pays; later runs just check files and exit.
set -euo pipefail

K8S_VERSION="${MESHGUARD_K8S_VERSION:-v1.37.2}"
ETCD_VERSION="${MESHGUARD_ETCD_VERSION:-v3.6.16}"
HELM3_VERSION="${MESHGUARD_HELM3_VERSION:-v3.22.0}"
HELM4_VERSION="${MESHGUARD_HELM4_VERSION:-v4.3.1}"

CACHE="${MESHGUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshguard}"
BIN="$CACHE/bin"
BUILD="$CACHE/build"
mkdir -p "$BIN" "$BUILD"

log() { printf '[provision %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Parallel test files may provision at the same time: serialize on a lock so
# they don't compile the same thing twice or see half-written binaries.
exec 9>"$CACHE/.provision.lock"
if ! flock -n 9; then
  log "another provision.sh holds $CACHE/.provision.lock; waiting"
  flock 9
fi

# -mod=mod lets `go build` fill go.mod/go.sum of our throwaway wrapper modules.
# -buildvcs=false: the wrapper dirs are not repos. GOTOOLCHAIN=local: never try
# to download another toolchain (not reachable here); fail loudly instead.
export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GOTOOLCHAIN=local

# go build prints nothing for minutes on a cold cache; a heartbeat shows life.
run() {
  local what=$1; shift
  command -v go >/dev/null || { log "'go' not found on PATH: Go >= 1.26 is needed to build $what"; exit 1; }
  local start=$SECONDS
  log "building $what ..."
  "$@" >"$BUILD/last.log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( (SECONDS - start) % 15 == 0 )) && kill -0 "$pid" 2>/dev/null; then
      log "  still building $what ($((SECONDS - start))s)"
    fi
  done
  if ! wait "$pid"; then
    log "FAILED building $what; output:"
    tail -n 60 "$BUILD/last.log" >&2
    exit 1
  fi
  log "built $what in $((SECONDS - start))s"
}

# Installs versioned file $1 under the stable name $2 (a relative symlink,
# swapped atomically so a running test never sees it missing).
link() { ln -sfn "$1" "$BIN/.$2.tmp" && mv -Tf "$BIN/.$2.tmp" "$BIN/$2"; }

# A fresh wrapper module for one component; $1 = dir name, rest = go.mod body.
wrapper() {
  local dir="$BUILD/$1"; shift
  rm -rf "$dir" && mkdir -p "$dir"
  printf '%s\n' "$@" >"$dir/go.mod"
  echo "$dir"
}

# --- kube-apiserver + kubectl -------------------------------------------------
# k8s.io/kubernetes is not meant to be a dependency: its go.mod requires the
# k8s.io/* staging modules at v0.0.0 and replaces them with ./staging/... .
# Replaces of a dependency are ignored, so we re-point each one at its
# published v0.X.Y twin, reading the list from that release's own go.mod.
k8s_ok() { [[ -x "$BIN/kube-apiserver-$K8S_VERSION" && -x "$BIN/kubectl-$K8S_VERSION" ]]; }
if ! k8s_ok; then
  command -v go >/dev/null || { log "'go' not found on PATH: Go >= 1.26 is needed to build kube-apiserver"; exit 1; }
  log "fetching k8s.io/kubernetes@$K8S_VERSION go.mod"
  if ! dl=$(cd "$BUILD" && GOFLAGS= go mod download -json "k8s.io/kubernetes@$K8S_VERSION" 2>&1); then
    log "cannot download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy:"; echo "$dl" >&2; exit 1
  fi
  gomod=$(sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p' <<<"$dl")
  [[ -f "$gomod" ]] || { log "could not download k8s.io/kubernetes@$K8S_VERSION"; exit 1; }
  staging_ver="v0.${K8S_VERSION#v1.}"
  # Only modules that kubernetes actually requires: sample-* are replaced
  # upstream but never published for every release.
  mapfile -t staged < <(awk '
    /^require \(/ {inreq=1; next} inreq && /^\)/ {inreq=0}
    inreq && $2 == "v0.0.0" {req[$1]=1}
    /^replace \(/ {inrep=1; next} inrep && /^\)/ {inrep=0}
    inrep && $3 ~ /^\.\/staging\// && ($1 in req) {print $1}' "$gomod")
  [[ ${#staged[@]} -gt 10 ]] || { log "parsed only ${#staged[@]} staging modules from $gomod"; exit 1; }
  log "${#staged[@]} staging modules -> $staging_ver"
  go_line=$(grep -m1 '^go ' "$gomod")
  dir=$(wrapper "k8s-$K8S_VERSION" "module meshguard.local/k8sbuild" "$go_line" \
    "$(grep -m1 '^godebug ' "$gomod" || true)" \
    "require k8s.io/kubernetes $K8S_VERSION" \
    "$(for m in "${staged[@]}"; do echo "replace $m => $m $staging_ver"; done)")
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  # hack/lib/version.sh stamps both packages: component-base is what the
  # apiserver reports, client-go is what kubectl prints as its client version.
  # The proxy knows no commit hash (empty beats the "$Format:%H$" default);
  # the tag time stands in for buildDate so rebuilds are identical.
  info=$(sed -n 's/^\s*"Info": "\(.*\)",$/\1/p' <<<"$dl")
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info")
  ldf="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitCommit="
    ldf+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=${build_date:-1970-01-01T00:00:00Z}"
  done
  (cd "$dir" && go mod download k8s.io/kubernetes >/dev/null)
  run "kube-apiserver $K8S_VERSION" bash -c "cd '$dir' && go build -trimpath -ldflags '$ldf' -o kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver"
  run "kubectl $K8S_VERSION" bash -c "cd '$dir' && go build -trimpath -ldflags '$ldf' -o kubectl k8s.io/kubernetes/cmd/kubectl"
  mv "$dir/kube-apiserver" "$BIN/kube-apiserver-$K8S_VERSION"
  mv "$dir/kubectl" "$BIN/kubectl-$K8S_VERSION"
fi
link "kube-apiserver-$K8S_VERSION" kube-apiserver
link "kubectl-$K8S_VERSION" kubectl

# --- etcd ---------------------------------------------------------------------
# The server module's root package is the etcd main; its version is compiled
# in from go.etcd.io/etcd/api/v3/version, so no ldflags needed.
if [[ ! -x "$BIN/etcd-$ETCD_VERSION" ]]; then
  dir=$(wrapper "etcd-$ETCD_VERSION" "module meshguard.local/etcdbuild" "go 1.26.0" \
    "require go.etcd.io/etcd/server/v3 $ETCD_VERSION")
  run "etcd $ETCD_VERSION" bash -c "cd '$dir' && go build -trimpath -ldflags '-s -w' -o etcd go.etcd.io/etcd/server/v3"
  mv "$dir/etcd" "$BIN/etcd-$ETCD_VERSION"
fi
link "etcd-$ETCD_VERSION" etcd

# --- helm v3 / v4 -------------------------------------------------------------
# helm's Makefile stamps internal/version (else it reports "v3.22" without the
# patch) and, for v3, the default kubeVersion used by `helm template`/lint
# when no cluster is asked.
build_helm() { # $1 major, $2 version, $3 installed name
  local major=$1 ver=$2 name=$3 mod="helm.sh/helm/v$1"
  [[ -x "$BIN/$name-$ver" ]] && { link "$name-$ver" "$name"; return; }
  local dir; dir=$(wrapper "helm-$ver" "module meshguard.local/helm${major}build" "go 1.26.0" "require $mod $ver")
  (cd "$dir" && go mod download "$mod" >/dev/null)
  local cg kminor; cg=$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/client-go)
  kminor=${cg#v0.}; kminor=${kminor%%.*}
  local ldf="-s -w -X $mod/internal/version.version=$ver -X $mod/internal/version.gitTreeState=clean"
  for pkg in pkg/chartutil pkg/lint/rules; do
    ldf+=" -X $mod/$pkg.k8sVersionMajor=1 -X $mod/$pkg.k8sVersionMinor=$kminor"
  done
  run "helm $ver" bash -c "cd '$dir' && go build -trimpath -ldflags '$ldf' -o helm $mod/cmd/helm"
  mv "$dir/helm" "$BIN/$name-$ver"
  link "$name-$ver" "$name"
}
build_helm 3 "$HELM3_VERSION" helm
build_helm 4 "$HELM4_VERSION" helm4
ln -sfn helm "$BIN/helm3"

# Record what the stable names point at, for the harness and for humans.
cat >"$BIN/versions.env" <<EOF
K8S_VERSION=$K8S_VERSION
ETCD_VERSION=$ETCD_VERSION
HELM3_VERSION=$HELM3_VERSION
HELM4_VERSION=$HELM4_VERSION
EOF
log "ready: kube-apiserver/kubectl $K8S_VERSION, etcd $ETCD_VERSION, helm $HELM3_VERSION, helm4 $HELM4_VERSION"
echo "$BIN"
