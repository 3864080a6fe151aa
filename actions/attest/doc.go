// Package attestaction is the glue of the attest action: it reads the inputs,
// calls supplychain.Attest, writes the documents into the workspace and
// sets the outputs.
package attestaction
