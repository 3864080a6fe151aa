// Package deploymentaction is the glue of the deployment action: it reads
// the inputs of action.yml, calls pkg/deploy and sets the outputs.
package deploymentaction
