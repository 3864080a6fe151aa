package actions

import (
	"context"
	"fmt"

	"github.com/org/timetracker-ci/pkg/action"
)

// CatalogRepo is how users refer to this repository in uses:.
const CatalogRepo = "org/timetracker-ci"

// Catalog renders action-catalog.md from every action.yml.
func Catalog() (string, error) { return action.Catalog(CatalogRepo, "v1", All()) }

func catalogCommand() *action.Command {
	return &action.Command{
		Name:    "catalog",
		Summary: "print action-catalog.md, generated from every action.yml",
		Run: func(ctx context.Context, env action.Env, args []string) error {
			if len(args) > 0 {
				return action.UsageErrorf("catalog takes no arguments")
			}
			s, err := Catalog()
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(env.Stdout, s)
			return err
		},
	}
}
