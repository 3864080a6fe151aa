// Package metricsaction is the glue of the metrics action: it reads the
// inputs of action.yml, calls pkg/metrics and sets the outputs.
package metricsaction
