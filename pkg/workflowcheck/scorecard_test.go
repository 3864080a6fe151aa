package workflowcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
)

func TestScorecardGolden(t *testing.T) {
	for _, name := range []string{"bad", "good"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("testdata", "scorecard", name+".yml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wf, err := Parse(file, data)
			if err != nil {
				t.Fatal(err)
			}
			got := render(Scorecard(wf))
			golden.CheckString(t, filepath.Join("testdata", "scorecard", name+".golden"), got)
			if name == "good" && got != "" {
				t.Errorf("the good workflow has findings:\n%s", got)
			}
		})
	}
}

func TestScorecardPinned(t *testing.T) {
	for uses, want := range map[string]bool{
		"./actions/x": true,
		"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683": true,
		"actions/checkout@v4":                                         false,
		"org/timetracker-ci/actions/version@main":                     false,
		"docker://alpine:3":                                           false,
		"docker://alpine@sha256:" + strings.Repeat("a", 64):           true,
		"org/repo/.github/workflows/x.yml@" + strings.Repeat("A", 40): true,
	} {
		if got := ScorecardPinned(uses); got != want {
			t.Errorf("ScorecardPinned(%q) = %v, want %v", uses, got, want)
		}
	}
}

// TestScorecardInjectionPatterns: every context Scorecard's Dangerous-Workflow
// check calls untrusted in a run: script is flagged by the Scorecard rule,
// and (but for toJSON(github)) by the broader run-injection rule as well.
func TestScorecardInjectionPatterns(t *testing.T) {
	for _, expr := range []string{
		"github.event.issue.title", "github.event.issue.body", "github.event.pull_request.title", "github.event.pull_request.body",
		"github.event.discussion.title", "github.event.discussion.body", "github.event.comment.body", "github.event.review.body",
		"github.event.review_comment.body", "github.event.pages[0].page_name", "github.event.commits[0].message",
		"github.event.head_commit.message", "github.event.head_commit.author.email", "github.event.head_commit.author.name",
		"github.event.commits[1].author.email", "github.event.commits[1].author.name", "github.event.blocked_user.name",
		"github.event.pull_request.head.ref", "github.event.pull_request.head.label", "github.event.pull_request.head.repo.default_branch",
		"github.head_ref", "toJSON(github.event)", "toJson(github)",
	} {
		y := "on: push\npermissions: {}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: echo \"${{ " + expr + " }}\"\n"
		wf, err := Parse("x.yml", []byte(y))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range Scorecard(wf) {
			if f.Rule == RuleScorecardDangerous {
				found = true
			}
		}
		if !found {
			t.Errorf("scorecard-dangerous-workflow does not flag ${{ %s }}", expr)
		}
		injection := false
		for _, f := range Check(wf, Options{}) {
			if f.Rule == RuleRunInjection {
				injection = true
			}
		}
		if !injection && expr != "toJson(github)" {
			t.Errorf("run-injection does not flag ${{ %s }}", expr)
		}
	}
}

func FuzzScorecard(f *testing.F) {
	for _, n := range []string{"bad", "good"} {
		data, _ := os.ReadFile(filepath.Join("testdata", "scorecard", n+".yml"))
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		wf, err := Parse("x.yml", data)
		if err != nil {
			return
		}
		for _, fd := range Scorecard(wf) {
			if fd.Rule == "" || fd.Message == "" {
				t.Fatalf("empty finding %+v", fd)
			}
		}
	})
}
