{{/* The API group of every Roast Operator kind, and of the verbs on roasters that carry every right. */}}
{{- define "roast-operator.group" -}}
roasting.simcorp.io
{{- end }}

{{- define "roast-operator.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "roast-operator.operatorServiceAccount" -}}
{{ .Values.operator.serviceAccount.name }}
{{- end }}

{{/* The operator's user name as the API server authenticates its service-account token. */}}
{{- define "roast-operator.operatorUser" -}}
system:serviceaccount:{{ .Release.Namespace }}:{{ include "roast-operator.operatorServiceAccount" . }}
{{- end }}

{{- define "roast-operator.edgeNamespace" -}}
{{ .Values.edge.namespace | default .Release.Namespace }}
{{- end }}

{{/*
CEL variables the policies share. Robots are service accounts and the system's own users: they may act for
themselves but never stand in for a person.
*/}}
{{- define "roast-operator.isRobot" -}}
- name: isRobot
  expression: request.userInfo.username.startsWith('system:')
{{- end }}

{{/*
CEL: a name someone wrote, as a message shows it — quoted, and with every character outside printable ASCII
written as its UTF-8 bytes in hex (<d0b0> for a Cyrillic а), so a look-alike never reads as the name it
imitates. The argument is a CEL string expression.
*/}}
{{- define "roast-operator.shown" -}}
({{ . }}.matches('^[ -~]*$') ? '"' + {{ . }} + '"' : '"' + {{ . }}.split('').map(c, c.matches('^[ -~]$') ? c : '<' + '%x'.format([c]) + '>').join('') + '" (characters outside printable ASCII are shown as <their UTF-8 bytes in hex>: a look-alike letter or an invisible one)')
{{- end }}

{{- define "roast-operator.isOperator" -}}
- name: isOperator
  expression: request.userInfo.username == {{ include "roast-operator.operatorUser" . | squote }}
{{- end }}

{{/*
CEL: whether the requesting user holds a verb on a Roaster in the request's namespace — the
CertificateSigningRequest "signers" pattern, with roasters as the resource. Arguments: roaster (a CEL
string expression) and verb (a CEL string expression).
*/}}
{{- define "roast-operator.mayOnRoaster" -}}
authorizer.group('{{ include "roast-operator.group" . }}').resource('roasters').namespace(request.namespace).name({{ .roaster }}).check({{ .verb }}).allowed()
{{- end }}

{{/* A binding that makes a ValidatingAdmissionPolicy deny. Arguments: name (of the policy), root. */}}
{{- define "roast-operator.validatingBinding" -}}
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: {{ .name }}
  labels:
    {{- include "roast-operator.labels" .root | nindent 4 }}
spec:
  policyName: {{ .name }}
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      {{- toYaml .root.Values.admission.namespaceSelector | nindent 6 }}
{{- end }}

{{/* Read access to the three kinds and their status; every role includes it. */}}
{{- define "roast-operator.readRules" -}}
- apiGroups: [{{ include "roast-operator.group" . }}]
  resources: [roasters, roastsessions, commandproposals, roastprofiles, roasters/status, roastsessions/status, commandproposals/status, roastprofiles/status]
  verbs: [get, list, watch]
{{- end }}

{{/* The Secret the gateway serves from: the installer's, or the one cert-manager keeps. */}}
{{- define "roast-operator.gatewayTlsSecret" -}}
{{ .Values.operator.gateway.tls.secretName | default "roast-operator-gateway-tls" }}
{{- end }}

{{/* The gateway's address for edge agents: the chart's Service by its DNS name, unless given. */}}
{{- define "roast-operator.gatewayAddress" -}}
{{ .Values.edge.gatewayAddress | default (printf "roast-operator.%s.svc:%v" .Release.Namespace .Values.operator.gateway.port) }}
{{- end }}

{{/*
An init container that hands a hostPath store directory to the image's user (1000): the kubelet creates it
owned by root, and the process runs as non-root. Arguments: image, pullPolicy, path.
*/}}
{{- define "roast-operator.storeOwner" -}}
- name: store-owner
  image: {{ .image | quote }}
  imagePullPolicy: {{ .pullPolicy | default "IfNotPresent" }}
  command: ["node", "-e", "require('node:fs').chownSync(process.argv[1], 1000, 1000)", {{ .path | quote }}]
  securityContext:
    runAsUser: 0
    runAsNonRoot: false
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities:
      drop: [ALL]
      add: [CHOWN]
  volumeMounts:
    - name: store
      mountPath: {{ .path }}
{{- end }}
