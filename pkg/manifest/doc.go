// Package manifest renders deployment files for an image pinned by digest:
// the built-in TimeTracker set (docker-compose.production.yml,
// deployment-dev.yml, k8s-deployment.yml) or a folder of the user's own
// templates, plus deployment.json and SHA256SUMS.
//
// Every rendered file is validated before anything is written: compose files
// against the compose specification's properties and references (a test runs
// compose-go's loader beside it on the same files), Kubernetes documents by
// strict decoding into mirrors of the k8s.io/api types (internal/k8sapi,
// generated from them by a test, which keeps the Kubernetes modules out of
// the shipped binary) plus checks the API server would not make (selectors
// match pod labels, probe and Service ports exist, images are pinned by
// digest), JSON by parsing. Output depends only on the inputs: the
// same options give byte-identical files.
//
// # Templates
//
// Templates use Go's text/template syntax (see package tmpl for what is
// supported: everything but method calls). Each NAME.tmpl in the folder
// renders to NAME; files starting with _ only {{define}} shared parts.
// Dot is a [Data]:
//
//	.Image.Name       repository, e.g. ghcr.io/org/app
//	.Image.Tag        the human tag, e.g. 1.2.3 (may be empty)
//	.Image.Digest     sha256:...
//	.Image.Ref        Name@Digest: what to deploy
//	.Image.Platforms  e.g. [linux/amd64 linux/arm64], sorted
//	.Version          the release version (defaults to the tag)
//	.Revision         the commit
//	.BuildTime        RFC 3339 build or commit time
//	.Values.Port .Values.Replicas .Values.HealthPath .Values.ReadyPath
//	.Values.App .Values.Environment .Values.DevEnvironment .Values.SecretName
//	.Values.Namespace .Values.PostgresImage .Values.CPURequest
//	.Values.MemoryRequest .Values.MemoryLimit
//	.Values.All       every key=value given, by key: {{index .Values.All "my-key"}}
//
// Functions: quote, default, join, indent, nindent, include, lower, upper,
// trim, replace, contains, hasPrefix, hasSuffix, toJSON and text/template's
// built-ins. The usual line to pin an image with its tag as a comment:
//
//	image: {{ .Image.Ref }} # {{ .Image.Name }}:{{ .Image.Tag }}
package manifest
