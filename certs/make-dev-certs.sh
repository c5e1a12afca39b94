#!/usr/bin/env bash
# Throw-away CA and serving certificate for local runs, into certs/dev/ (git-ignored).
# Never used in a cluster: there cert-manager (or the chart) issues the serving certificate.
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")" && pwd)/dev}"
hosts="${MESHGUARD_CERT_HOSTS:-localhost,meshguard,meshguard.meshguard.svc}"
ips="${MESHGUARD_CERT_IPS:-127.0.0.1,::1}"
mkdir -p "$dir"
if [[ -s "$dir/tls.crt" && -s "$dir/tls.key" && -s "$dir/ca.crt" && -z "${FORCE:-}" ]] &&
   openssl x509 -checkend 86400 -noout -in "$dir/tls.crt" >/dev/null; then
  echo "certs: reusing $dir (FORCE=1 to renew)" >&2
  exit 0
fi
umask 077
san=""
IFS=, read -ra H <<<"$hosts"; for h in "${H[@]}"; do san+="DNS:$h,"; done
IFS=, read -ra I <<<"$ips"; for i in "${I[@]}"; do san+="IP:$i,"; done
san="${san%,}"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=meshguard dev CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=meshguard" \
  -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
  -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' "$san") \
  -out "$dir/tls.crt" 2>/dev/null
rm -f "$dir/tls.csr" "$dir/ca.srl"
echo "certs: wrote $dir (CA ca.crt, serving tls.crt/tls.key for $san)" >&2
