// Package doctoraction is the glue of the doctor action and command: it reads
// the inputs, runs pkg/doctor on the repository and reports the findings
// as annotations, lines and outputs.
package doctoraction
