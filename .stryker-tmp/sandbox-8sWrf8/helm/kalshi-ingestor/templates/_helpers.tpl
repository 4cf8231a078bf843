{{/*
Expand the name of the chart.
*/}}
{{- define "kalshi-ingestor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name, at most 63 characters (the DNS label limit).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "kalshi-ingestor.fullname" -}}
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

{{/*
Chart name and version, as used by the chart label.
*/}}
{{- define "kalshi-ingestor.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "kalshi-ingestor.labels" -}}
helm.sh/chart: {{ include "kalshi-ingestor.chart" . }}
{{ include "kalshi-ingestor.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "kalshi-ingestor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kalshi-ingestor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of the service's pods (the migration Job's pods are another component).
*/}}
{{- define "kalshi-ingestor.podSelectorLabels" -}}
{{ include "kalshi-ingestor.selectorLabels" . }}
app.kubernetes.io/component: ingestor
{{- end }}

{{/*
Name of the service account to use.
*/}}
{{- define "kalshi-ingestor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kalshi-ingestor.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: repository@digest, else repository:tag (tag defaults to the chart's appVersion).
*/}}
{{- define "kalshi-ingestor.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/*
The grace period: at least the SIGTERM budget of the service (SHUTDOWN_TIMEOUT_MS, rounded up to seconds)
plus the preStop sleep plus 5 s of margin, so that Kubernetes never SIGKILLs a shutdown in progress.
*/}}
{{- define "kalshi-ingestor.terminationGracePeriodSeconds" -}}
{{- $shutdown := div (add (.Values.config.shutdownTimeoutMs | int) 999) 1000 }}
{{- $minimum := add $shutdown (.Values.preStopSleepSeconds | int) 5 }}
{{- max (.Values.terminationGracePeriodSeconds | int) $minimum }}
{{- end }}

{{/*
"true" when the pod gets Kalshi credentials (an existing Secret, or both values given to the chart).
*/}}
{{- define "kalshi-ingestor.kalshiCredentials" -}}
{{- $c := .Values.kalshi.credentials }}
{{- if or $c.existingSecret (and $c.apiKeyId $c.privateKey) }}true{{ end }}
{{- end }}

{{/*
Secret and keys holding the Kalshi credentials.
*/}}
{{- define "kalshi-ingestor.kalshiSecretName" -}}
{{- default (include "kalshi-ingestor.fullname" .) .Values.kalshi.credentials.existingSecret }}
{{- end }}
{{- define "kalshi-ingestor.kalshiApiKeyIdKey" -}}
{{- if .Values.kalshi.credentials.existingSecret }}
{{- .Values.kalshi.credentials.existingSecretApiKeyIdKey }}
{{- else }}kalshi-api-key-id{{ end }}
{{- end }}
{{- define "kalshi-ingestor.kalshiPrivateKeyKey" -}}
{{- if .Values.kalshi.credentials.existingSecret }}
{{- .Values.kalshi.credentials.existingSecretPrivateKeyKey }}
{{- else }}kalshi-private-key.pem{{ end }}
{{- end }}

{{/*
"true" when the chart's own Secret holds something.
*/}}
{{- define "kalshi-ingestor.createSecret" -}}
{{- $c := .Values.kalshi.credentials }}
{{- $kalshi := and (not $c.existingSecret) (and $c.apiKeyId $c.privateKey) }}
{{- $database := and (not .Values.database.existingSecret) .Values.database.url }}
{{- $redis := and (not .Values.redis.existingSecret) .Values.redis.url }}
{{- if or $kalshi $database $redis }}true{{ end }}
{{- end }}

{{/*
The DATABASE_URL environment entry, or nothing when no URL is configured. Argument: (dict "root" $ "secretName" name),
where secretName is the chart Secret to read an inline URL from.
*/}}
{{- define "kalshi-ingestor.databaseUrlEnv" -}}
{{- $root := .root }}
{{- if $root.Values.database.existingSecret }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.database.existingSecret | quote }}
      key: {{ $root.Values.database.existingSecretKey | quote }}
{{- else if $root.Values.database.url }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName | quote }}
      key: database-url
{{- end }}
{{- end }}

{{/*
The REDIS_URL environment entry, or nothing when no URL is configured.
*/}}
{{- define "kalshi-ingestor.redisUrlEnv" -}}
{{- if .Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret | quote }}
      key: {{ .Values.redis.existingSecretKey | quote }}
{{- else if .Values.redis.url }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "kalshi-ingestor.fullname" . | quote }}
      key: redis-url
{{- end }}
{{- end }}
