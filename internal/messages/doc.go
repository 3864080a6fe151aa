// Package messages is the inventory of the error messages users can read:
// it extracts every leaf error format from the code under pkg/, actions/
// and cmd/ (errors.New, fmt.Errorf without %w, InputErrorf, UsageErrorf,
// inputerror.Errorf and packages' own errorf helpers) and finds those
// docs/troubleshooting.md does not explain yet. A repository test keeps the
// guide complete; internal/tools/list-errors (scripts/list-errors.sh)
// prints what is missing.
package messages
