package changelog

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/org/timetracker-ci/internal/golden"
)

// history builds a real git repository in memory, one commit at a time.
type history struct {
	t    *testing.T
	repo *git.Repository
	wt   *git.Worktree
	at   time.Time
}

func newHistory(t *testing.T) *history {
	t.Helper()
	repo, err := git.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &history{t: t, repo: repo, wt: wt, at: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

var (
	ada = Person{Name: "Ada Lovelace", Email: "ada@users.noreply.github.com"}
	bob = Person{Name: "Bob Builder", Email: "bob@example.com"}
	cy  = Person{Name: "Cy Newcomer", Email: "4242+cyn@users.noreply.github.com"}
	dee = Person{Name: "Dee Free", Email: "dee@example.org"}
)

// commit adds a commit with the given parents (none: a root commit).
func (h *history) commit(msg string, who Person, parents ...plumbing.Hash) plumbing.Hash {
	h.t.Helper()
	h.at = h.at.Add(time.Hour)
	sig := &object.Signature{Name: who.Name, Email: who.Email, When: h.at}
	hash, err := h.wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, Parents: parents, AllowEmptyCommits: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return hash
}

func (h *history) tag(name string, at plumbing.Hash) {
	h.t.Helper()
	if _, err := h.repo.CreateTag(name, at, nil); err != nil {
		h.t.Fatal(err)
	}
}

func (h *history) ancestors(tag string) map[plumbing.Hash]*object.Commit {
	out := map[plumbing.Hash]*object.Commit{}
	if tag == "" {
		return out
	}
	ref, err := h.repo.Tag(tag)
	if err != nil {
		h.t.Fatal(err)
	}
	stack := []plumbing.Hash{ref.Hash()}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if out[x] != nil {
			continue
		}
		c, err := h.repo.CommitObject(x)
		if err != nil {
			h.t.Fatal(err)
		}
		out[x] = c
		stack = append(stack, c.ParentHashes...)
	}
	return out
}

func toCommit(c *object.Commit) Commit {
	var parents []string
	for _, p := range c.ParentHashes {
		parents = append(parents, p.String())
	}
	return Commit{SHA: c.Hash.String(), Parents: parents, Message: c.Message, Time: c.Committer.When,
		Author: Person{Name: c.Author.Name, Email: c.Author.Email}}
}

// between returns prev..tag as values plus the authors known before prev,
// the way the action's glue reads them.
func (h *history) between(prev, tag string) ([]Commit, map[string]bool) {
	before := h.ancestors(prev)
	var out []Commit
	for hash, c := range h.ancestors(tag) {
		if before[hash] == nil {
			out = append(out, toCommit(c))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SHA < out[j].SHA }) // any order: Build sorts
	known := map[string]bool{}
	for _, c := range before {
		known[Identity(Person{Name: c.Author.Name, Email: c.Author.Email})] = true
	}
	return out, known
}

// goldenFile compares got with testdata/<name>.md (go test -update rewrites it).
func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	golden.CheckString(t, filepath.Join("testdata", name+".md"), got)
}

func TestGolden(t *testing.T) {
	tests := map[string]func(h *history) (prev, tag string){
		"conventional": func(h *history) (string, string) {
			root := h.commit("chore: initial import", bob)
			h.tag("v1.0.0", root)
			c := h.commit("feat(timer): add pause and resume (#12)", ada, root)
			c = h.commit("fix: round durations to the minute (#13)", bob, c)
			c = h.commit("perf(db): index time entries by project", ada, c)
			c = h.commit("docs: explain the export format", cy, c)
			c = h.commit("chore(deps): bump flask to 3.1", bob, c)
			c = h.commit("feat: export entries as CSV (#15)\n\nAdds /export.csv.", cy, c)
			h.tag("v1.1.0", c)
			return "v1.0.0", "v1.1.0"
		},
		"free-form": func(h *history) (string, string) {
			root := h.commit("Initial commit", dee)
			h.tag("v0.1.0", root)
			c := h.commit("Add a timer page", dee, root)
			c = h.commit("Fixed the bug where exports were empty (#7)", bob, c)
			c = h.commit("WIP", dee, c)
			h.tag("v0.2.0", c)
			return "v0.1.0", "v0.2.0"
		},
		"merges": func(h *history) (string, string) {
			root := h.commit("feat: projects", ada)
			h.tag("v2.0.0", root)
			main1 := h.commit("feat: reports page (#30)", ada, root)
			side1 := h.commit("fix: handle empty projects", bob, root)
			side2 := h.commit("test: cover empty projects", bob, side1)
			m1 := h.commit("Merge pull request #31 from bob/empty-projects\n\nfix: empty projects no longer crash the dashboard", ada, main1, side2)
			hot := h.commit("fix: hotfix for the login redirect", dee, root)
			m2 := h.commit("Merge branch 'hotfix'", ada, m1, hot)
			h.tag("v2.1.0", m2)
			return "v2.0.0", "v2.1.0"
		},
		"breaking": func(h *history) (string, string) {
			root := h.commit("feat: first API", ada)
			h.tag("v1.4.0", root)
			c := h.commit("feat(api)!: drop the v1 endpoints (#40)", ada, root)
			c = h.commit("refactor: rename configuration variables\n\nBREAKING CHANGE: TT_DB is now DATABASE_URL", bob, c)
			c = h.commit("feat: add API tokens (#41)", cy, c)
			c = h.commit("fix(api): return 404 for unknown projects", bob, c)
			h.tag("v2.0.0", c)
			return "v1.4.0", "v2.0.0"
		},
		"first-release": func(h *history) (string, string) {
			c := h.commit("Initial commit", ada)
			c = h.commit("feat: time entries", ada, c)
			c = h.commit("fix: timezone of entries (#2)", bob, c)
			h.tag("v0.1.0", c)
			return "", "v0.1.0"
		},
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHistory(t)
			prev, tag := build(h)
			commits, known := h.between(prev, tag)
			cl := Build(commits, Options{Repository: "org/timetracker", Tag: tag, PreviousTag: prev, KnownAuthors: known})
			goldenFile(t, name, cl.Markdown())
		})
	}
}

func TestLimitSummarisesTheTail(t *testing.T) {
	h := newHistory(t)
	c := h.commit("chore: start", ada)
	h.tag("v1.0.0", c)
	kinds := []string{"feat", "fix", "docs", "perf"}
	for i := 0; i < 400; i++ {
		c = h.commit(fmt.Sprintf("%s: change number %d with a description long enough to matter (#%d)", kinds[i%4], i, 100+i), []Person{ada, bob, cy}[i%3], c)
	}
	h.tag("v1.1.0", c)
	commits, known := h.between("v1.0.0", "v1.1.0")
	for _, limit := range []int{2000, 10000, 60000} {
		out := Build(commits, Options{Repository: "org/timetracker", Tag: "v1.1.0", PreviousTag: "v1.0.0", KnownAuthors: known, Limit: limit}).Markdown()
		if Length(out) > limit {
			t.Errorf("limit %d: %d characters", limit, Length(out))
		}
		if !strings.Contains(out, "more changes not shown") || !strings.Contains(out, "compare/v1.0.0...v1.1.0") {
			t.Errorf("limit %d: no summary line or compare link:\n%s", limit, out)
		}
		if limit == 2000 {
			goldenFile(t, "limited", out)
		}
	}
	full := Build(commits, Options{Repository: "org/timetracker", Tag: "v1.1.0", PreviousTag: "v1.0.0"}).Markdown()
	if strings.Contains(full, "not shown") || strings.Count(full, "\n- ") != 400 {
		t.Errorf("the default limit summarised 400 short entries")
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		msg  string
		want Entry
	}{
		{"feat(ui): dark mode (#5)", Entry{Type: "feat", Scope: "ui", Description: "dark mode", PRs: []int{5}}},
		{"fix!: stop double counting", Entry{Type: "fix", Description: "stop double counting", Breaking: true}},
		{"Fix: capitalised type", Entry{Type: "fix", Description: "capitalised type"}},
		{"refactor: x\n\nBREAKING-CHANGE: y", Entry{Type: "refactor", Description: "x", Breaking: true, BreakingNote: "y"}},
		{"Update README.md", Entry{Description: "Update README.md"}},
		{"feat:no space is free-form", Entry{Description: "feat:no space is free-form"}},
		{"Revert \"feat: x\" (#9) (#10)", Entry{Description: "Revert \"feat: x\"", PRs: []int{9, 10}}},
	}
	for _, tc := range tests {
		got := Parse(tc.msg)
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tc.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.msg, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"feat(x)!: y (#1)", "Merge pull request #3 from a/b\n\nfix: z", "BREAKING CHANGE: q", "(#", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		e := Parse(msg)
		if strings.Contains(e.Description, "\n") {
			t.Errorf("description spans lines: %q", e.Description)
		}
		cl := Build([]Commit{{SHA: "0123456789abcdef0123456789abcdef01234567", Message: msg}}, Options{Repository: "o/r", Tag: "v1.0.0", Limit: 500})
		if out := cl.Markdown(); Length(out) > 500 {
			t.Errorf("rendering broke the limit: %d", Length(out))
		}
	})
}

func BenchmarkBuildAndRender(b *testing.B) {
	commits := make([]Commit, 5000)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range commits {
		commits[i] = Commit{SHA: fmt.Sprintf("%040x", i+1), Message: fmt.Sprintf("feat(scope%d): change %d (#%d)", i%7, i, i), Time: base.Add(time.Duration(i) * time.Minute),
			Author: Person{Name: fmt.Sprint("dev", i%50), Email: fmt.Sprintf("dev%d@example.com", i%50)}}
		if i > 0 {
			commits[i].Parents = []string{commits[i-1].SHA}
		}
	}
	for b.Loop() {
		_ = Build(commits, Options{Repository: "o/r", Tag: "v2.0.0", PreviousTag: "v1.0.0", Limit: 100000}).Markdown()
	}
}
