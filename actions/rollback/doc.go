// Package rollbackaction is the glue of the rollback action: it reads the
// inputs of action.yml, calls pkg/rollback and sets the outputs.
package rollbackaction
