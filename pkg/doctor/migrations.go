package doctor

import (
	"context"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"sort"
	"strings"
)

var (
	revisionRe     = lazyre.New(`^revision\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]`)
	downRevisionRe = lazyre.New(`(?s)^down_revision\s*(?::[^=]+)?=\s*(.*)$`)
	quotedRe       = lazyre.New(`['"]([^'"]+)['"]`)
)

// checkMigrations finds the heads of an Alembic (Flask-Migrate) history:
// revisions no other revision names as its down_revision.
func checkMigrations(ctx context.Context, root *repo, o Options) ([]Finding, error) {
	var dirs []string
	for _, d := range []string{"migrations/versions", "alembic/versions"} {
		if root.isDir(d) {
			dirs = append(dirs, d)
		}
	}
	var out []Finding
	for _, d := range dirs {
		entries, err := root.readDir(d)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", d, err)
		}
		revs := map[string]pos{}
		parents := map[string]bool{}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".py") {
				continue
			}
			rel := d + "/" + e.Name()
			data, err := root.read(rel)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", rel, err)
			}
			ls := lines(data)
			for i, l := range ls {
				if m := revisionRe.FindStringSubmatch(l); m != nil {
					revs[m[1]] = pos{rel, i + 1}
				}
				// A merge revision's down_revision is a tuple, often over lines.
				stmt, _ := statement(ls, i)
				if m := downRevisionRe.FindStringSubmatch(stmt); m != nil {
					for _, q := range quotedRe.FindAllStringSubmatch(m[1], -1) {
						parents[q[1]] = true
					}
				}
			}
		}
		var heads []string
		for r := range revs {
			if !parents[r] {
				heads = append(heads, r)
			}
		}
		sort.Strings(heads)
		if len(heads) > 1 {
			p := revs[heads[len(heads)-1]]
			out = append(out, ruleMigrationHeads.at(p.file, p.line, "%s has %d heads: %s", d, len(heads), strings.Join(heads, ", ")))
		}
	}
	return out, nil
}
