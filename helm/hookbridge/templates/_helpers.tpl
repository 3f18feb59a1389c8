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

{{/*
The image reference: repository@digest when image.digest is set (the tag is
then ignored), else repository:tag (default: the appVersion).
*/}}
{{- define "hookbridge.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) -}}
{{- end -}}
{{- end }}

{{- define "hookbridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "hookbridge.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
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
The container's environment: one secretKeyRef per referenced variable, one
per subscriber token (its SHA-256), then extraEnv.
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
{{- $authSecret := include "hookbridge.authSecret" . -}}
{{- range include "hookbridge.authTokens" . | fromJsonArray }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ $authSecret }}
      key: {{ .key | quote }}
{{- end }}
{{- with include "hookbridge.consoleToken" . | fromJson }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The console token (console.token), validated, as JSON {secret, key, env}:
where its SHA-256 is and the variable that carries it into the config; {}
when it is off.
*/}}
{{- define "hookbridge.consoleToken" -}}
{{- $t := (.Values.console | default dict).token | default dict -}}
{{- if not (has (toString ($t.enabled | default false)) (list "true" "false")) -}}
{{- fail "console.token.enabled: must be true or false" -}}
{{- end -}}
{{- if $t.enabled -}}
{{- $secret := $t.existingSecret | default .Values.secrets.existingSecret -}}
{{- if not $secret -}}
{{- fail "console.token.existingSecret: name the Secret that holds the console token's SHA-256 (or set secrets.existingSecret)" -}}
{{- end -}}
{{- $key := $t.key | default "console-token-sha256" -}}
{{- if not (and (kindIs "string" $key) (regexMatch "^[-._a-zA-Z0-9]{1,253}$" $key)) -}}
{{- fail (printf "console.token.key: %q is not a Secret key (a-z, A-Z, 0-9, -, _ and .)" (toString $key)) -}}
{{- end -}}
{{- toJson (dict "secret" $secret "key" $key "env" "HOOKBRIDGE_CONSOLE_TOKEN_SHA256") -}}
{{- else -}}
{{- toJson dict -}}
{{- end -}}
{{- end }}

{{/*
The Host names the console answers besides localhost and IP addresses: the
admin Service's in-cluster names, then config.admin.allowed_hosts. As a
JSON list.
*/}}
{{- define "hookbridge.consoleHosts" -}}
{{- $svc := printf "%s-admin" (include "hookbridge.fullname" .) -}}
{{- $ns := .Release.Namespace -}}
{{- $hosts := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns (.Values.clusterDomain | default "cluster.local")) -}}
{{- $extra := (.Values.config.admin | default dict).allowed_hosts | default list -}}
{{- if not (kindIs "slice" $extra) -}}
{{- fail "config.admin.allowed_hosts: must be a list of host names" -}}
{{- end -}}
{{- range $extra }}{{ if not (has (toString .) $hosts) }}{{ $hosts = append $hosts (toString .) }}{{ end }}{{ end -}}
{{- toJson $hosts -}}
{{- end }}

{{/*
The Secret that holds the subscriber tokens' SHA-256 values.
*/}}
{{- define "hookbridge.authSecret" -}}
{{- (.Values.subscriberAuth | default dict).existingSecret | default .Values.secrets.existingSecret -}}
{{- end }}

{{/*
The subscriber tokens of subscriberAuth.tokens, validated, as a JSON list of
{name, key, env, sources, types}: `key` is the Secret key that holds the
token's SHA-256, `env` the variable that carries it into the config. [] when
subscriberAuth is disabled. Values of the entries are never printed except
names, sources and types.
*/}}
{{- define "hookbridge.authTokens" -}}
{{- $auth := .Values.subscriberAuth | default dict -}}
{{- $out := list -}}
{{- if $auth.enabled -}}
{{- $tokens := $auth.tokens | default list -}}
{{- if not (kindIs "slice" $tokens) -}}
{{- fail "subscriberAuth.tokens: must be a list of { name, sources, types }" -}}
{{- end -}}
{{- $secret := include "hookbridge.authSecret" . -}}
{{- $sourceNames := list -}}
{{- range (.Values.config.sources | default list) }}{{ $sourceNames = append $sourceNames (toString .name) }}{{ end -}}
{{- $names := list -}}
{{- $keys := list -}}
{{- range $i, $t := $tokens -}}
{{- if not (kindIs "map" $t) -}}
{{- fail (printf "subscriberAuth.tokens[%d]: must be a map { name, sources, types }" $i) -}}
{{- end -}}
{{- $name := get $t "name" -}}
{{- if not (and (kindIs "string" $name) (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" $name)) -}}
{{- fail (printf "subscriberAuth.tokens[%d].name: %q is not a token name: 1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit (it names the token in logs, metrics and its Secret key)" $i (toString $name)) -}}
{{- end -}}
{{- if has $name $names -}}
{{- fail (printf "subscriberAuth.tokens[%d].name: duplicate token name %q" $i $name) -}}
{{- end -}}
{{- $names = append $names $name -}}
{{- $where := printf "subscriberAuth.tokens[%d] (%s)" $i $name -}}
{{- $key := get $t "key" | default $name -}}
{{- range $k, $v := $t -}}
{{- if has $k (list "sha256" "token" "hash" "secret") -}}
{{- fail (printf "%s: %s never goes into values: hookbridge reads the token's SHA-256 (hookbridge --mint-token %s prints both) from key %s of the Secret %s" $where $k $name (toString $key) ($secret | default "in subscriberAuth.existingSecret")) -}}
{{- else if not (has $k (list "name" "sources" "types" "key" "consumers" "manage_consumers")) -}}
{{- fail (printf "%s: unknown key %q; a token has name, sources, types and optionally key, consumers and manage_consumers" $where $k) -}}
{{- end -}}
{{- end -}}
{{- range $field := list "sources" "types" -}}
{{- $list := get $t $field -}}
{{- if not (and (kindIs "slice" $list) $list) -}}
{{- fail (printf "%s: %s must be a non-empty list (use [\"*\"] for all)" $where $field) -}}
{{- end -}}
{{- range $j, $v := $list -}}
{{- if not (and (kindIs "string" $v) $v) -}}
{{- fail (printf "%s: %s[%d] must be a non-empty string" $where $field $j) -}}
{{- end -}}
{{- if and (eq $field "sources") (ne $v "*") (not (has $v $sourceNames)) -}}
{{- fail (printf "%s: sources[%d] %q is not a source of config.sources (%s); use a source name or \"*\"" $where $j $v (join ", " $sourceNames)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not (and (kindIs "string" $key) (regexMatch "^[-._a-zA-Z0-9]{1,253}$" $key)) -}}
{{- fail (printf "%s: key %q is not a Secret key (a-z, A-Z, 0-9, -, _ and .)" $where (toString $key)) -}}
{{- end -}}
{{- if has $key $keys -}}
{{- fail (printf "%s: key %q is also another token's key; each token has its own SHA-256" $where $key) -}}
{{- end -}}
{{- $keys = append $keys $key -}}
{{- $env := printf "HOOKBRIDGE_TOKEN_SHA256_%s" (upper (replace "-" "_" $name)) -}}
{{- $consumers := get $t "consumers" | default list -}}
{{- if not (kindIs "slice" $consumers) -}}
{{- fail (printf "%s: consumers must be a list of consumer names (or [\"*\"], the default)" $where) -}}
{{- end -}}
{{- $manage := get $t "manage_consumers" | default false -}}
{{- if not (kindIs "bool" $manage) -}}
{{- fail (printf "%s: manage_consumers must be true or false" $where) -}}
{{- end -}}
{{- $out = append $out (dict "name" $name "key" $key "env" $env "sources" (get $t "sources") "types" (get $t "types") "consumers" $consumers "manage_consumers" $manage) -}}
{{- end -}}
{{- if and $out (not $secret) -}}
{{- fail "subscriberAuth.existingSecret: name the Secret that holds each token's SHA-256 (or set secrets.existingSecret)" -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/*
The listeners with TLS, as a JSON object: listener ("http", "grpc") ->
{ secret, caSecret, dir, caDir, clientAuth }. caSecret/caDir: where ca.crt
is mounted when it comes from a Secret of its own.
*/}}
{{- define "hookbridge.tlsListeners" -}}
{{- $tls := .Values.tls | default dict -}}
{{- $mount := toString ($tls.mountPath | default "/etc/hookbridge-tls") -}}
{{- $out := dict -}}
{{- range $l := list "http" "grpc" -}}
{{- $t := get $tls $l | default dict -}}
{{- if $t.existingSecret -}}
{{- $entry := dict "secret" $t.existingSecret "dir" (printf "%s/%s" $mount $l) "clientAuth" (ternary true false (eq (toString $t.clientAuth) "true")) -}}
{{- if and $t.clientAuth $t.clientCASecret -}}
{{- $_ := set $entry "caSecret" $t.clientCASecret -}}
{{- $_ := set $entry "caDir" (printf "%s/%s-client-ca" $mount $l) -}}
{{- end -}}
{{- $_ := set $out $l $entry -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/*
The `tls:` block of listener (list ROOT LISTENER), or nothing.
*/}}
{{- define "hookbridge.tlsConfig" -}}
{{- $l := get (include "hookbridge.tlsListeners" (index . 0) | fromJson) (index . 1) -}}
{{- if $l -}}
tls:
  cert_file: {{ printf "%s/tls.crt" $l.dir | quote }}
  key_file: {{ printf "%s/tls.key" $l.dir | quote }}
  {{- if $l.clientAuth }}
  client_ca_file: {{ printf "%s/ca.crt" ($l.caDir | default $l.dir) | quote }}
  {{- end }}
{{- end -}}
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
{{- $rest := omit $c "http" "grpc" "admin" "log" "dedup" "shutdown_timeout" "logging" "sources" "auth" -}}
{{- $auth := .Values.subscriberAuth | default dict -}}
# hookbridge.yaml rendered by the hookbridge Helm chart from its values
# (docs/CONFIG.md describes every key). ${NAME} references are filled from
# the Secret {{ .Values.secrets.existingSecret }} through the environment
{{- if include "hookbridge.authTokens" . | fromJsonArray }}, the
# subscriber tokens' SHA-256 from the Secret {{ include "hookbridge.authSecret" . }}
{{- end }}.
{{- $http := omit ($c.http | default dict) "listen" "tls" -}}
{{- /* What a NATS server's default max_payload (1MB) can store: see values.yaml. */ -}}
{{- if and (eq $backend "jetstream") (not (hasKey $http "max_body_bytes")) }}{{ $_ := set $http "max_body_bytes" "509KiB" }}{{ end }}
http:
  listen: {{ printf "%s:%d" .Values.listenAddress (int .Values.ports.http) | quote }}
  {{- with $http }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- with include "hookbridge.tlsConfig" (list . "http") }}
  {{- . | nindent 2 }}
  {{- end }}
grpc:
  listen: {{ printf "%s:%d" .Values.listenAddress (int .Values.ports.grpc) | quote }}
  {{- with omit ($c.grpc | default dict) "listen" "tls" }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- with include "hookbridge.tlsConfig" (list . "grpc") }}
  {{- . | nindent 2 }}
  {{- end }}
admin:
  listen: {{ printf "%s:%d" .Values.listenAddress (int .Values.ports.admin) | quote }}
  {{- with omit ($c.admin | default dict) "listen" "allowed_hosts" "console_token_sha256" }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  allowed_hosts: {{ include "hookbridge.consoleHosts" . }}
  {{- with include "hookbridge.consoleToken" . | fromJson }}
  console_token_sha256: {{ printf "${%s}" .env | quote }}
  {{- end }}
auth:
  enabled: {{ ternary "true" "false" (eq (toString $auth.enabled) "true") }}
  {{- with include "hookbridge.authTokens" . | fromJsonArray }}
  tokens:
    {{- range . }}
    - name: {{ .name | quote }}
      sha256: {{ printf "${%s}" .env | quote }}
      sources: {{ toJson .sources }}
      types: {{ toJson .types }}
      {{- with .consumers }}
      consumers: {{ toJson . }}
      {{- end }}
      {{- if .manage_consumers }}
      manage_consumers: true
      {{- end }}
    {{- end }}
  {{- end }}
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
{{- fail (printf "config.log.backend: %s is not implemented by hookbridge %s (this chart's appVersion), which has only %s" $backend .Chart.AppVersion (join " and " $supported)) -}}
{{- end -}}
{{- if and (eq $backend "jetstream") (not (get (get .Values.config.log "jetstream" | default dict) "url")) -}}
{{- fail "config.log.jetstream.url is required with config.log.backend: jetstream: the NATS servers (e.g. nats://nats:4222)" -}}
{{- end -}}
{{- if eq $backend "jetstream" -}}
{{- range $i, $c := (.Values.config.consumers | default list) -}}
{{- if eq (toString (get $c "ordering")) "per_subject" -}}
{{- fail (printf "config.consumers[%d] (%s): ordering: per_subject is not available with config.log.backend: jetstream (JetStream cannot hold one event per subject outstanding across the replicas); use ordering: none, or the file backend" $i (toString (get $c "name"))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (ne $backend "jetstream") (gt (int .Values.replicaCount) 1) -}}
{{- fail (printf "replicaCount: %d needs config.log.backend: jetstream (scale-out mode); the %s log lives in a single pod, so single-node mode runs exactly one replica" (int .Values.replicaCount) $backend) -}}
{{- end -}}
{{- if and (ne $backend "jetstream") .Values.autoscaling.enabled -}}
{{- fail "autoscaling.enabled needs config.log.backend: jetstream (scale-out mode); single-node mode runs exactly one replica" -}}
{{- end -}}
{{- range $key := list "http" "grpc" "admin" -}}
{{- if (get ($.Values.config | dig $key dict) "listen") -}}
{{- fail (printf "config.%s.listen is set by the chart from ports.%s and listenAddress; remove it" $key $key) -}}
{{- end -}}
{{- end -}}
{{- if hasKey .Values.config "auth" -}}
{{- fail "config.auth is set by the chart from subscriberAuth (README \"Subscriber tokens\"); remove it" -}}
{{- end -}}
{{- if hasKey (.Values.config.admin | default dict) "console_token_sha256" -}}
{{- fail "config.admin.console_token_sha256 is set by the chart from console.token (README \"Console\"); remove it" -}}
{{- end -}}
{{- if not (has (toString (.Values.subscriberAuth | default dict).enabled) (list "true" "false")) -}}
{{- fail "subscriberAuth.enabled: must be true or false" -}}
{{- end -}}
{{- $tokenEnv := list -}}
{{- range include "hookbridge.authTokens" . | fromJsonArray }}{{ $tokenEnv = append $tokenEnv .env }}{{ end -}}
{{- $otherEnv := include "hookbridge.secretEnvNames" . | fromYamlArray -}}
{{- range .Values.extraEnv }}{{ $otherEnv = append $otherEnv .name }}{{ end -}}
{{- range $tokenEnv -}}
{{- if has . $otherEnv -}}
{{- fail (printf "%s carries a subscriber token's SHA-256 (subscriberAuth.tokens); config and extraEnv must not use that name" .) -}}
{{- end -}}
{{- end -}}
{{- with include "hookbridge.consoleToken" . | fromJson -}}
{{- if has .env $otherEnv -}}
{{- fail (printf "%s carries the console token's SHA-256 (console.token); config and extraEnv must not use that name" .env) -}}
{{- end -}}
{{- end -}}
{{- $tls := .Values.tls | default dict -}}
{{- range $l := list "http" "grpc" -}}
{{- if hasKey ($.Values.config | dig $l dict) "tls" -}}
{{- fail (printf "config.%s.tls is set by the chart from tls.%s (README \"TLS\"); remove it" $l $l) -}}
{{- end -}}
{{- $t := get $tls $l | default dict -}}
{{- if and $t.clientAuth (not $t.existingSecret) -}}
{{- fail (printf "tls.%s.clientAuth needs TLS: set tls.%s.existingSecret to the Secret with the server certificate" $l $l) -}}
{{- end -}}
{{- if and $t.clientCASecret (not $t.clientAuth) -}}
{{- fail (printf "tls.%s.clientCASecret is set but tls.%s.clientAuth is false: client certificates would not be checked" $l $l) -}}
{{- end -}}
{{- end -}}
{{- $mount := toString ($tls.mountPath | default "/etc/hookbridge-tls") -}}
{{- if or (not (regexMatch "^/[^ ]*[^/]$" $mount)) (eq $mount "/etc/hookbridge") (hasPrefix "/etc/hookbridge/" $mount) (eq $mount .Values.persistence.mountPath) -}}
{{- fail (printf "tls.mountPath: %q must be an absolute directory of its own, outside /etc/hookbridge (the config) and persistence.mountPath" $mount) -}}
{{- end -}}
{{- if and .Values.probes.grpcLiveness (get $tls "grpc" | default dict).existingSecret -}}
{{- fail "probes.grpcLiveness: Kubernetes gRPC probes cannot connect with TLS, and tls.grpc.existingSecret turns it on; use the /healthz probe on the admin port (probes.grpcLiveness: false), which TLS does not affect" -}}
{{- end -}}
{{- if (get (get .Values.config.log "file" | default dict) "dir") -}}
{{- fail "config.log.file.dir is set by the chart to the data volume (persistence.mountPath); remove it" -}}
{{- end -}}
{{- if not .Values.config.sources -}}
{{- fail "config.sources: add at least one source (README \"Providers\")" -}}
{{- end -}}
{{- $ref := "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$" -}}
{{- /* What each provider takes (bridge/providers/registry.cc): caught here
rather than by hookbridge at the pod's start. */ -}}
{{- $generic := list "standard-webhooks" "github" "stripe" -}}
{{- $limits := list (list "config.http.rate_limit" ((.Values.config.http | default dict).rate_limit)) -}}
{{- range $i, $s := .Values.config.sources -}}
{{- $where := printf "config.sources[%d] (%s)" $i (toString $s.name) -}}
{{- $envName := upper (regexReplaceAll "[^A-Za-z0-9]" (toString $s.name) "_") -}}
{{- if not (has (toString $s.provider) $generic) -}}
{{- range $key := list "event_type" "subject" -}}
{{- if hasKey $s $key -}}
{{- fail (printf "%s: %s: only the generic providers (%s) take this; %s knows where its %s is" $where $key (join ", " $generic) (toString $s.provider) $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq (toString $s.provider) "cand" -}}
{{- if not (hasKey $s "path_token") -}}
{{- fail (printf "%s: provider cand does not sign its webhooks: give a path_token such as ${%s_PATH_TOKEN} (at least 16 characters of A-Z a-z 0-9 - _ . ~ in the Secret, e.g. openssl rand -hex 24)" $where $envName) -}}
{{- end -}}
{{- else if not $s.secrets -}}
{{- fail (printf "%s: provider %s signs its webhooks: give secrets such as [\"${%s_WEBHOOK_SECRET}\"]" $where (toString $s.provider) $envName) -}}
{{- end -}}
{{- with $s.rate_limit }}{{ $limits = append $limits (list (printf "%s.rate_limit" $where) .) }}{{ end -}}
{{- end -}}
{{- range $limits -}}
{{- $l := index . 1 -}}
{{- if and $l (hasKey $l "burst") (not (kindIs "string" $l.per_second)) (eq (float64 $l.per_second) 0.0) -}}
{{- fail (printf "%s: burst has no meaning with per_second: 0 (the limit is off)" (index . 0)) -}}
{{- end -}}
{{- end -}}
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
{{- $containers := list "hookbridge" -}}
{{- range $list := list "sidecars" "initContainers" -}}
{{- range $i, $c := (get $.Values $list | default list) -}}
{{- if has (toString $c.name) $containers -}}
{{- fail (printf "%s[%d]: the container name %q is taken (the pod has hookbridge, sidecars and initContainers, each name once)" $list $i (toString $c.name)) -}}
{{- end -}}
{{- $containers = append $containers (toString $c.name) -}}
{{- end -}}
{{- end -}}
{{- range $i, $v := (.Values.extraVolumes | default list) -}}
{{- if or (has (toString $v.name) (list "config" "data")) (hasPrefix "tls-" (toString $v.name)) -}}
{{- fail (printf "extraVolumes[%d]: the volume name %q is the chart's (config, data and tls-* are taken)" $i (toString $v.name)) -}}
{{- end -}}
{{- end -}}
{{- $paths := list "/etc/hookbridge" .Values.persistence.mountPath -}}
{{- range $l, $t := include "hookbridge.tlsListeners" . | fromJson }}{{ $paths = append $paths $t.dir }}{{ with $t.caDir }}{{ $paths = append $paths . }}{{ end }}{{ end -}}
{{- range $i, $m := (.Values.extraVolumeMounts | default list) -}}
{{- if has (toString $m.mountPath) $paths -}}
{{- fail (printf "extraVolumeMounts[%d]: %s is where the chart mounts its own volume (config, data or TLS)" $i (toString $m.mountPath)) -}}
{{- end -}}
{{- end -}}
{{- if not (has (toString .Values.configReload) (list "rollout" "live")) -}}
{{- fail (printf "configReload: %q is neither rollout (roll the pods when the config changes) nor live (hookbridge applies the changed ConfigMap itself)" (toString .Values.configReload)) -}}
{{- end -}}
{{- end }}
