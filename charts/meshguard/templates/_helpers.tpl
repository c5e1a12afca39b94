{{/*
Names and labels.
*/}}
{{- define "meshguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "meshguard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "meshguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "meshguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object carries app.kubernetes.io/instance: the break-glass command in NOTES.txt selects on it. */}}
{{- define "meshguard.labels" -}}
helm.sh/chart: {{ include "meshguard.chart" . }}
{{ include "meshguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: meshguard
{{- end -}}

{{- define "meshguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "meshguard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "meshguard.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding tls.crt / tls.key (and ca.crt) mounted at /tls. */}}
{{- define "meshguard.tlsSecretName" -}}
{{- if eq .Values.tls.mode "secret" -}}
{{- required "tls.secret.name is required when tls.mode=secret" .Values.tls.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "meshguard.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "meshguard.leaseName" -}}
{{- printf "%s-audit" (include "meshguard.fullname" .) -}}
{{- end -}}

{{/* True (non-empty) when the webhook server runs in the cluster, i.e. webhook.url is not set. */}}
{{- define "meshguard.inCluster" -}}
{{- if not .Values.webhook.url -}}true{{- end -}}
{{- end -}}

{{/*
The kinds meshguard serves at admission: THE one list. The webhook rules and the ClusterRole's read
rules are both generated from it, and test/unit/chart/ compares the rendered webhook rules with the
engine's registry (src/rules/index.ts), so a kind added to one and not the other fails a test.
Never the core group, never pods, never "*": meshguard must not be able to block anything a cluster
needs to recover (see docs/adr/0003-failure-policy.md).
*/}}
{{- define "meshguard.servedKinds" -}}
- {group: meshguard.io, versions: [v1alpha1], kind: MeshTopology, resource: meshtopologies, scope: Cluster}
- {group: istio.alibabacloud.com, versions: [v1beta1], kind: ASMPvlConfig, resource: asmpvlconfigs, scope: Namespaced}
- {group: istio.alibabacloud.com, versions: [v1beta1], kind: IstioGateway, resource: istiogateways, scope: Namespaced}
- {group: federation.maistra.io, versions: [v1], kind: ServiceMeshPeer, resource: servicemeshpeers, scope: Namespaced}
- {group: federation.maistra.io, versions: [v1], kind: ExportedServiceSet, resource: exportedservicesets, scope: Namespaced}
- {group: federation.maistra.io, versions: [v1], kind: ImportedServiceSet, resource: importedservicesets, scope: Namespaced}
- {group: networking.istio.io, versions: [v1, v1beta1, v1alpha3], kind: DestinationRule, resource: destinationrules, scope: Namespaced}
- {group: networking.istio.io, versions: [v1, v1beta1, v1alpha3], kind: Gateway, resource: gateways, scope: Namespaced}
- {group: install.istio.io, versions: [v1alpha1], kind: IstioOperator, resource: istiooperators, scope: Namespaced}
{{- end -}}

{{- define "meshguard.modes" -}}
[enforce, warn, audit]
{{- end -}}

{{/*
Webhook rules for one entry. Args: dict "root" $ "clusterScoped" bool.
clusterScoped=true: the entry of the default mode; scope "*" and the cluster-scoped kinds too
(namespaceSelector never skips a cluster-scoped object, so exactly one entry may list them).
clusterScoped=false: Namespaced kinds only, scope Namespaced.
*/}}
{{- define "meshguard.webhookRules" -}}
{{- range $k := include "meshguard.servedKinds" .root | fromYamlArray }}
{{- if or $.clusterScoped (eq $k.scope "Namespaced") }}
- apiGroups: [{{ $k.group | quote }}]
  apiVersions: {{ toJson $k.versions }}
  operations: ["CREATE", "UPDATE"]
  resources: [{{ $k.resource | quote }}]
  scope: {{ ternary "*" "Namespaced" $.clusterScoped | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
namespaceSelector for one entry. Args: dict "root" $ "op" "In"|"NotIn" "modes" list.
*/}}
{{- define "meshguard.namespaceSelector" -}}
{{- $excluded := concat (list "kube-system" .root.Release.Namespace) .root.Values.webhook.excludeNamespaces | uniq -}}
matchExpressions:
- key: meshguard.io/mode
  operator: {{ .op }}
  values: {{ toJson .modes }}
- key: meshguard.io/ignore
  operator: NotIn
  values: ["true"]
- key: kubernetes.io/metadata.name
  operator: NotIn
  values: {{ toJson $excluded }}
{{- end -}}

{{/*
clientConfig for one entry. Args: dict "root" $ "path" "/validate/enforce" "caBundle" string.
*/}}
{{- define "meshguard.clientConfig" -}}
{{- $v := .root.Values -}}
{{- if $v.webhook.url }}
url: {{ printf "%s%s" (trimSuffix "/" $v.webhook.url) .path | quote }}
{{- else }}
service:
  name: {{ include "meshguard.fullname" .root }}
  namespace: {{ .root.Release.Namespace }}
  path: {{ .path | quote }}
  port: {{ $v.service.port }}
{{- end }}
{{- with .caBundle }}
caBundle: {{ . }}
{{- end }}
{{- end -}}

{{/* webhook.caBundle accepts PEM text or its base64; the API field wants base64. */}}
{{- define "meshguard.userCaBundle" -}}
{{- $ca := .Values.webhook.caBundle | trim -}}
{{- if $ca -}}
{{- if hasPrefix "-----BEGIN" $ca -}}{{ $ca | b64enc }}{{- else -}}{{ $ca }}{{- end -}}
{{- end -}}
{{- end -}}
