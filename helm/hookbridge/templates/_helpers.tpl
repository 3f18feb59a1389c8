{{/*
Names and labels, as `helm create` makes them.
*/}}
{{- define "hookbridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hookbridge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hookbridge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hookbridge.labels" -}}
helm.sh/chart: {{ include "hookbridge.chart" . }}
{{ include "hookbridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "hookbridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hookbridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Single-node mode (file or memory log: one StatefulSet replica) or scale-out
mode (jetstream: Deployment, PodDisruptionBudget, optional HPA). "true" or "".
*/}}
{{- define "hookbridge.scaleOut" -}}
{{- if eq (toString .Values.config.log.backend) "jetstream" }}true{{ end }}
{{- end }}

{{/*
Seconds (rounded up) of a duration in hookbridge's syntax: "10s", "1m30s",
"1.5s", "500ms", "7d", "0". Argument: (list VALUE KEY); KEY names the value
in the error.
*/}}
{{- define "hookbridge.durationSeconds" -}}
{{- $d := toString (index . 0) -}}
{{- $key := index . 1 -}}
{{- $seconds := 0.0 -}}
{{- if regexMatch "^[0-9]+d$" $d -}}
{{- $seconds = mulf (trimSuffix "d" $d | float64) 86400 -}}
{{- else if eq $d "0" -}}
{{- else if regexMatch "^([0-9]+(\\.[0-9]+)?(ns|us|ms|h|m|s))+$" $d -}}
{{- $unit := dict "ns" 0.000000001 "us" 0.000001 "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 -}}
{{- range regexFindAll "[0-9.]+(ns|us|ms|h|m|s)" $d -1 -}}
{{- $u := regexFind "(ns|us|ms|h|m|s)$" . -}}
{{- $seconds = addf $seconds (mulf (trimSuffix $u . | float64) (get $unit $u)) -}}
{{- end -}}
{{- else -}}
{{- fail (printf "%s: not a duration such as 10s, 1m30s or 500ms: %q" $key $d) -}}
{{- end -}}
{{- ceil $seconds | int64 -}}
{{- end }}

{{- define "hookbridge.terminationGracePeriodSeconds" -}}
{{- $shutdown := include "hookbridge.durationSeconds" (list (.Values.config.shutdown_timeout | default "10s") "config.shutdown_timeout") | int64 -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- add $shutdown 10 -}}
{{- else -}}
{{- $grace := .Values.terminationGracePeriodSeconds | int64 -}}
{{- if le $grace $shutdown -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed config.shutdown_timeout (%ds): Kubernetes would kill hookbridge before it has finished its webhooks and ended its streams" $grace $shutdown) -}}
{{- end -}}
{{- $grace -}}
{{- end -}}
{{- end }}

{{/*
The environment variables that `config` references as ${NAME} or
${NAME:-default}, as a YAML list of names, excluding those that extraEnv sets.
*/}}
{{- define "hookbridge.secretEnvNames" -}}
{{- $plain := list -}}
{{- range .Values.extraEnv }}{{ $plain = append $plain .name }}{{ end -}}
{{- $names := list -}}
{{- range regexFindAll "\\$\\{[A-Za-z_][A-Za-z0-9_]*" (toYaml .Values.config) -1 -}}
{{- $name := trimPrefix "${" . -}}
{{- if not (has $name $plain) }}{{ $names = append $names $name }}{{ end -}}
{{- end -}}
{{- toYaml (uniq $names | sortAlpha) -}}
{{- end }}

{{/*
The container's environment: one secretKeyRef per referenced variable, then
extraEnv.
*/}}
{{- define "hookbridge.env" -}}
{{- $names := include "hookbridge.secretEnvNames" . | fromYamlArray -}}
{{- range $names }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.secrets.existingSecret }}
      key: {{ get $.Values.secrets.keys . | default . }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The rendered hookbridge.yaml. Listen addresses come from `ports`, log.dir
from the data volume, log's other keys from the selected backend's block.
*/}}
{{- define "hookbridge.configYaml" -}}
{{- $c := deepCopy .Values.config -}}
{{- $backend := toString $c.log.backend -}}
{{- $log := dict "backend" $backend -}}
{{- $log = merge $log (get $c.log $backend | default dict) -}}
{{- if eq $backend "file" }}{{ $_ := set $log "dir" (printf "%s/log" .Values.persistence.mountPath) }}{{ end -}}
{{- $rest := omit $c "http" "grpc" "admin" "log" "dedup" "shutdown_timeout" "logging" "sources" -}}
# hookbridge.yaml rendered by the hookbridge Helm chart from its values
# (docs/CONFIG.md describes every key). ${NAME} references are filled from
# the Secret {{ .Values.secrets.existingSecret }} through the environment.
http:
  listen: {{ printf "%s:%d" .Values.listenAddress (int .Values.ports.http) | quote }}
  {{- with omit ($c.http | default dict) "listen" }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
grpc:
  listen: {{ printf "%s:%d" .Values.listenAddress (int .Values.ports.grpc) | quote }}
admin:
  listen: {{ printf "%s:%d" .Values.listenAddress (int .Values.ports.admin) | quote }}
log:
  {{- toYaml $log | nindent 2 }}
{{- with $c.dedup }}
dedup:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.shutdown_timeout }}
shutdown_timeout: {{ . | quote }}
{{- end }}
{{- with $c.logging }}
logging:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $rest }}
{{ toYaml . }}
{{- end }}
sources:
  {{- toYaml $c.sources | nindent 2 }}
{{- end }}

{{/*
Refuses values that would deploy something broken or leak a secret. Included
by the ConfigMap, which every mode renders.
*/}}
{{- define "hookbridge.validate" -}}
{{- $backend := toString .Values.config.log.backend -}}
{{- if not (has $backend (list "file" "memory" "jetstream")) -}}
{{- fail (printf "config.log.backend: %q is not a backend; use file, memory or jetstream" $backend) -}}
{{- end -}}
{{- $supported := splitList " " (index .Chart.Annotations "hookbridge/log-backends") -}}
{{- if not (has $backend $supported) -}}
{{- fail (printf "config.log.backend: %s needs a hookbridge version with the JetStream backend; hookbridge %s (this chart's appVersion) implements only %s. Scale-out mode is not available yet: use backend file with replicaCount 1." $backend .Chart.AppVersion (join " and " $supported)) -}}
{{- end -}}
{{- if and (ne $backend "jetstream") (gt (int .Values.replicaCount) 1) -}}
{{- fail (printf "replicaCount: %d needs config.log.backend: jetstream (scale-out mode); the %s log lives in a single pod, so single-node mode runs exactly one replica" (int .Values.replicaCount) $backend) -}}
{{- end -}}
{{- if and (ne $backend "jetstream") .Values.autoscaling.enabled -}}
{{- fail "autoscaling.enabled needs config.log.backend: jetstream (scale-out mode); single-node mode runs exactly one replica" -}}
{{- end -}}
{{- if .Values.subscriberAuth.enabled -}}
{{- fail "subscriberAuth.enabled: subscriber authentication does not exist in this hookbridge version; keep the grpc port internal (see the chart README)" -}}
{{- end -}}
{{- range $key := list "http" "grpc" "admin" -}}
{{- if (get ($.Values.config | dig $key dict) "listen") -}}
{{- fail (printf "config.%s.listen is set by the chart from ports.%s and listenAddress; remove it" $key $key) -}}
{{- end -}}
{{- end -}}
{{- if (get (get .Values.config.log "file" | default dict) "dir") -}}
{{- fail "config.log.file.dir is set by the chart to the data volume (persistence.mountPath); remove it" -}}
{{- end -}}
{{- if not .Values.config.sources -}}
{{- fail "config.sources: add at least one source (README \"Providers\")" -}}
{{- end -}}
{{- $ref := "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$" -}}
{{- range $i, $s := .Values.config.sources -}}
{{- range $j, $secret := ($s.secrets | default list) -}}
{{- if not (regexMatch $ref (toString $secret)) -}}
{{- fail (printf "config.sources[%d] (%s): secrets[%d] must be a reference such as ${%s_WEBHOOK_SECRET}, filled from the Secret in secrets.existingSecret; a secret value never goes into values" $i $s.name $j (upper (regexReplaceAll "[^A-Za-z0-9]" (toString $s.name) "_"))) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $s "path_token" -}}
{{- if not (regexMatch $ref (toString $s.path_token)) -}}
{{- fail (printf "config.sources[%d] (%s): path_token must be a reference such as ${%s_PATH_TOKEN}, filled from the Secret in secrets.existingSecret; a secret value never goes into values" $i $s.name (upper (regexReplaceAll "[^A-Za-z0-9]" (toString $s.name) "_"))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (include "hookbridge.secretEnvNames" . | fromYamlArray) (not .Values.secrets.existingSecret) -}}
{{- fail (printf "secrets.existingSecret: config references %s; name the Secret that holds them" (include "hookbridge.secretEnvNames" . | fromYamlArray | join ", ")) -}}
{{- end -}}
{{- $_ := include "hookbridge.terminationGracePeriodSeconds" . -}}
{{- end }}
