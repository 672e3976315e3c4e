{{- define "podpath.name" -}}podpath-agent{{- end -}}
{{- define "podpath.serviceAccount" -}}
{{- default (include "podpath.name" .) .Values.serviceAccount.name -}}
{{- end -}}
{{- define "podpath.labels" -}}
app.kubernetes.io/name: {{ include "podpath.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
