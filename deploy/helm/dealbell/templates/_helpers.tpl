{{/* The chart's name, and the resources' base name (63 characters at most, as DNS names allow). */}}
{{- define "dealbell.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dealbell.fullname" -}}
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

{{- define "dealbell.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dealbell.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dealbell.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dealbell.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "dealbell.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The Secret the pods read their settings from: the user's, or the chart's. */}}
{{- define "dealbell.secretName" -}}
{{- .Values.existingSecret | default (include "dealbell.fullname" .) }}
{{- end }}

{{/* The secret settings, as environment variables; only those given. Fails, naming the value, when a
required one is missing. */}}
{{- define "dealbell.secretData" -}}
DATABASE_URL: {{ required "set database.url (postgresql://user:password@host:5432/dealbell) or existingSecret" .Values.database.url | quote }}
SLACK_SIGNING_SECRET: {{ required "set slack.signingSecret (the Slack app's Signing Secret) or existingSecret" .Values.slack.signingSecret | quote }}
{{- if not (or .Values.slack.botToken .Values.slack.clientId) }}
{{- fail "set slack.botToken (one workspace) or slack.clientId, slack.clientSecret and slack.stateSecret (OAuth), or existingSecret" }}
{{- end }}
{{- with .Values.slack.botToken }}
SLACK_BOT_TOKEN: {{ . | quote }}
{{- end }}
{{- with .Values.slack.clientId }}
SLACK_CLIENT_ID: {{ . | quote }}
SLACK_CLIENT_SECRET: {{ required "set slack.clientSecret with slack.clientId" $.Values.slack.clientSecret | quote }}
SLACK_STATE_SECRET: {{ required "set slack.stateSecret with slack.clientId" $.Values.slack.stateSecret | quote }}
{{- end }}
{{- with .Values.secretKey }}
DEALBELL_SECRET_KEY: {{ . | quote }}
{{- end }}
{{- end }}

{{/* The dealbell container's environment, shared by the pods and the migration Job. */}}
{{- define "dealbell.env" -}}
- name: PORT
  value: {{ .Values.containerPort | quote }}
{{- range $name, $value := .Values.settings }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Writable places under the read-only root filesystem. */}}
{{- define "dealbell.volumes" -}}
- name: tmp
  emptyDir: {}
- name: data
  emptyDir: {}
{{- end }}

{{- define "dealbell.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end }}
