{{/*
The pod template shared by the StatefulSet (single-node mode) and the
Deployment (scale-out mode).
*/}}
{{- define "hookbridge.podTemplate" -}}
metadata:
  labels:
    {{- include "hookbridge.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # How a config change reaches this pod (values: configReload).
    hookbridge/config-reload: {{ .Values.configReload | quote }}
    {{- if eq .Values.configReload "rollout" }}
    # Rolls the pods when the rendered hookbridge.yaml changes (with
    # configReload: live, hookbridge applies the mounted file itself).
    checksum/config: {{ include "hookbridge.configYaml" . | sha256sum }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "hookbridge.serviceAccountName" . }}
  # hookbridge does not talk to the Kubernetes API (values:
  # serviceAccount.automountServiceAccountToken).
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  # No Service environment variables: the config's ${...} names are the
  # only environment hookbridge reads.
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ include "hookbridge.terminationGracePeriodSeconds" . }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- with .Values.initContainers }}
  initContainers:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: hookbridge
      image: {{ include "hookbridge.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args: ["--config", "/etc/hookbridge/hookbridge.yaml"]
      {{- $env := include "hookbridge.env" . | trim }}
      {{- if $env }}
      env:
        {{- $env | nindent 8 }}
      {{- end }}
      {{- with .Values.extraEnvFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.ports.http }}
          protocol: TCP
        - name: grpc
          containerPort: {{ .Values.ports.grpc }}
          protocol: TCP
        - name: admin
          containerPort: {{ .Values.ports.admin }}
          protocol: TCP
      startupProbe:
        httpGet: { path: /healthz, port: admin }
        periodSeconds: {{ .Values.probes.startup.periodSeconds }}
        failureThreshold: {{ .Values.probes.startup.failureThreshold }}
      livenessProbe:
        {{- if .Values.probes.grpcLiveness }}
        grpc: { port: {{ .Values.ports.grpc }} }
        {{- else }}
        httpGet: { path: /healthz, port: admin }
        {{- end }}
        periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
      readinessProbe:
        httpGet: { path: /readyz, port: admin }
        periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/hookbridge
          readOnly: true
        {{- if eq (toString .Values.config.log.backend) "file" }}
        - name: data
          mountPath: {{ .Values.persistence.mountPath }}
        {{- end }}
        {{- range $l, $t := include "hookbridge.tlsListeners" . | fromJson }}
        - name: tls-{{ $l }}
          mountPath: {{ $t.dir }}
          readOnly: true
        {{- if $t.caSecret }}
        - name: tls-{{ $l }}-client-ca
          mountPath: {{ $t.caDir }}
          readOnly: true
        {{- end }}
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with .Values.sidecars }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "hookbridge.fullname" . }}
    {{- if and (eq (toString .Values.config.log.backend) "file") (not .Values.persistence.enabled) }}
    # persistence.enabled=false: the log is lost with the pod.
    - name: data
      emptyDir: {}
    {{- end }}
    {{- /* Whole-directory mounts (no subPath), so Kubernetes updates the
    files in place when the Secret changes; hookbridge notices the new
    content within a second. Readable by the pod's fsGroup only, when it has one. */}}
    {{- $mode := ternary 288 292 (not (empty .Values.podSecurityContext.fsGroup)) }}
    {{- range $l, $t := include "hookbridge.tlsListeners" . | fromJson }}
    - name: tls-{{ $l }}
      secret:
        secretName: {{ $t.secret }}
        defaultMode: {{ $mode }}  # {{ printf "%#o" $mode }}
        items:
          - { key: tls.crt, path: tls.crt }
          - { key: tls.key, path: tls.key }
          {{- if and $t.clientAuth (not $t.caSecret) }}
          - { key: ca.crt, path: ca.crt }
          {{- end }}
    {{- if $t.caSecret }}
    - name: tls-{{ $l }}-client-ca
      secret:
        secretName: {{ $t.caSecret }}
        defaultMode: {{ $mode }}  # {{ printf "%#o" $mode }}
        items:
          - { key: ca.crt, path: ca.crt }
    {{- end }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    {{- $c := deepCopy . }}
    {{- if not (hasKey $c "labelSelector") }}
    {{- $_ := set $c "labelSelector" (dict "matchLabels" (include "hookbridge.selectorLabels" $ | fromYaml)) }}
    {{- end }}
    - {{ toYaml $c | indent 6 | trim }}
    {{- end }}
  {{- end }}
{{- end }}
