package workflowcheck

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// Rules of OpenSSF Scorecard's Pinned-Dependencies, Token-Permissions and
// Dangerous-Workflow checks, as Scorecard evaluates them (its raw checks
// for GitHub workflows); see docs/supply-chain.md.
const (
	// Pinned-Dependencies: uses: must be a local action, owner/repo@<hash>
	// (40+ hex) or docker://…@sha256:<64 hex> — this repository's own
	// references included, which the pin rule lets through.
	RuleScorecardPinned = "scorecard-pinned"
	// Pinned-Dependencies: run: scripts that install without pinning by
	// hash (pip install without --require-hashes, go install without a
	// version, npm install, a download piped into a shell).
	RuleScorecardPinnedRun = "scorecard-pinned-run"
	// Token-Permissions: top-level permissions declared and read-only; no
	// write-all on a job.
	RuleScorecardPermissions = "scorecard-token-permissions"
	// Dangerous-Workflow: a pull_request_target or workflow_run workflow
	// checking out the untrusted head; a run: script expanding untrusted
	// context (Scorecard's list; run-injection flags more).
	RuleScorecardDangerous = "scorecard-dangerous-workflow"
)

var (
	scorecardLocalRe  = lazyre.New(`^\..+[^/]`)
	scorecardHashRe   = lazyre.New(`.*@[a-fA-F\d]{40,}`)
	scorecardDockerRe = lazyre.New(`docker://.*@sha256:[a-fA-F\d]{64}`)
)

// ScorecardPinned is Scorecard's isActionDependencyPinned.
func ScorecardPinned(uses string) bool {
	return scorecardLocalRe.MatchString(uses) || scorecardHashRe.MatchString(uses) || scorecardDockerRe.MatchString(uses)
}

// Scorecard returns the findings of the three Scorecard checks for one
// workflow, sorted by position.
func Scorecard(wf *Workflow) []Finding {
	c := &checker{wf: wf}
	c.scorecardPermissions()
	untrustedTrigger := hasTrigger(wf.On, "pull_request_target") || hasTrigger(wf.On, "workflow_run")
	for _, j := range wf.Jobs {
		if j.Uses != nil && !strings.HasPrefix(j.Uses.Value, "./") && !ScorecardPinned(j.Uses.Value) {
			c.report(j.Uses, RuleScorecardPinned, "%s is not pinned by hash (Scorecard Pinned-Dependencies): pin the reusable workflow to a commit, @<40-hex> # <version>", j.Uses.Value)
		}
		for _, s := range j.Steps {
			if s.Uses != nil && !strings.HasPrefix(s.Uses.Value, "./") && !ScorecardPinned(s.Uses.Value) {
				c.report(s.Uses, RuleScorecardPinned, "%s is not pinned by hash (Scorecard Pinned-Dependencies): use @<40-hex commit> # <version>", s.Uses.Value)
			}
			if s.Run != nil {
				for _, m := range exprRe.FindAllStringSubmatch(s.Run.Value, -1) {
					if scorecardUntrusted(m[1]) {
						c.report(s.Run, RuleScorecardDangerous, "run: expands %s, which an attacker can set, into the script (Scorecard Dangerous-Workflow): pass it through env: and use \"$NAME\"", strings.TrimSpace(m[0]))
					}
				}
				for _, why := range unpinnedInstalls(s.Run.Value) {
					c.report(s.Run, RuleScorecardPinnedRun, "run: %s (Scorecard Pinned-Dependencies)", why)
				}
			}
			if untrustedTrigger && s.Uses != nil && strings.Contains(s.Uses.Value, "actions/checkout") {
				if ref := yamlnode.Lookup(s.With, "ref"); ref != nil &&
					(strings.Contains(ref.Value, "github.event.pull_request") || strings.Contains(ref.Value, "github.event.workflow_run")) {
					c.report(ref, RuleScorecardDangerous, "checks out untrusted code (%s) in a workflow triggered by pull_request_target or workflow_run, which runs with the base repository's token and secrets (Scorecard Dangerous-Workflow): build untrusted code in a pull_request workflow instead", strings.TrimSpace(ref.Value))
				}
			}
		}
	}
	return dedupe(c.out)
}

func hasTrigger(on *yaml.Node, name string) bool {
	if on == nil {
		return false
	}
	switch on.Kind {
	case yaml.ScalarNode:
		return on.Value == name
	case yaml.SequenceNode:
		for _, n := range on.Content {
			if n.Value == name {
				return true
			}
		}
	case yaml.MappingNode:
		return yamlnode.Lookup(on, name) != nil
	}
	return false
}

// scorecardPermissions: the top level must declare permissions and grant
// no write (permissions: {} or read-all or scopes at read/none); a job
// must not use write-all. Job-level writes are allowed (Scorecard only
// lists them).
func (c *checker) scorecardPermissions() {
	top := yamlnode.Lookup(c.wf.Root, "permissions")
	if top == nil {
		n := yamlnode.Lookup(c.wf.Root, "jobs")
		c.report(n, RuleScorecardPermissions, "no top-level permissions: (Scorecard Token-Permissions): add permissions: {} (or contents: read) at the top and grant writes per job")
	} else {
		switch top.Kind {
		case yaml.ScalarNode:
			if top.Value != "" && !strings.EqualFold(top.Value, "read-all") {
				c.report(top, RuleScorecardPermissions, "top-level permissions: %s grants write (Scorecard Token-Permissions): use {} or read-all at the top, writes per job", top.Value)
			}
		case yaml.MappingNode:
			yamlnode.EachPair(top, func(k, v *yaml.Node) {
				if strings.EqualFold(v.Value, "write") {
					c.report(v, RuleScorecardPermissions, "top-level permissions grant %s: write (Scorecard Token-Permissions): grant it on the job that needs it", k.Value)
				}
			})
		}
	}
	for _, j := range c.wf.Jobs {
		if j.Permissions != nil && j.Permissions.Kind == yaml.ScalarNode && strings.EqualFold(j.Permissions.Value, "write-all") {
			c.report(j.Permissions, RuleScorecardPermissions, "job %q has permissions: write-all (Scorecard Token-Permissions): list the scopes it writes", j.ID)
		}
	}
}

var (
	scorecardUntrustedRe = lazyre.New(`.*(issue\.title|issue\.body|pull_request\.title|pull_request\.body|discussion\.title|discussion\.body|comment\.body|review\.body|review_comment\.body|pages.*\.page_name|commits.*\.message|head_commit\.message|head_commit\.author\.email|head_commit\.author\.name|commits.*\.author\.email|commits.*\.author\.name|blocked_user\.name|blocked_user\.email|pull_request\.head\.ref|pull_request\.head\.label|pull_request\.head\.repo\.default_branch).*`)
	scorecardToJSONRe    = lazyre.New(`(?i)tojson\s*\(\s*github(\.event)?\s*\)`)
)

// scorecardUntrusted is Scorecard's containsUntrustedContextPattern.
func scorecardUntrusted(expr string) bool {
	if strings.Contains(expr, "github.head_ref") || scorecardToJSONRe.MatchString(expr) {
		return true
	}
	return strings.Contains(expr, "github.event.") && scorecardUntrustedRe.MatchString(expr)
}

var (
	shellSplitRe = lazyre.New(`\s*(?:&&|\|\||;|\n)\s*`)
	pipeShellRe  = lazyre.New(`(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|k|mk|da)?sh\b`)
)

// unpinnedInstalls finds Scorecard's unpinned downloads in a script.
func unpinnedInstalls(script string) []string {
	var out []string
	if m := pipeShellRe.FindString(script); m != "" {
		out = append(out, "pipes a download into a shell ("+strings.TrimSpace(m)+"): download, check its hash, then run it")
	}
	for _, cmd := range shellSplitRe.Split(script, -1) {
		f := strings.Fields(cmd)
		if len(f) == 0 {
			continue
		}
		for len(f) > 0 && (f[0] == "sudo" || strings.Contains(f[0], "=") && !strings.HasPrefix(f[0], "-")) {
			f = f[1:] // sudo, VAR=value prefixes
		}
		if len(f) < 2 {
			continue
		}
		switch {
		case isPip(f) && unpinnedPip(pipArgs(f)):
			out = append(out, strings.Join(f, " ")+" installs without --require-hashes: pin each package by hash (pip install --require-hashes -r requirements.txt)")
		case base(f[0]) == "go" && f[1] == "install":
			for _, a := range f[2:] {
				if strings.HasPrefix(a, "-") {
					continue
				}
				if at := strings.LastIndex(a, "@"); at < 0 || a[at+1:] == "latest" || a[at+1:] == "" {
					out = append(out, "go install "+a+" is not pinned to a version: use @vX.Y.Z (the module checksum database then pins it)")
				}
			}
		case base(f[0]) == "npm" && (f[1] == "install" || f[1] == "i"):
			out = append(out, strings.Join(f, " ")+": use npm ci, which installs the lock file's hashes")
		}
	}
	return out
}

func base(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func isPip(f []string) bool {
	b := base(f[0])
	if (b == "pip" || b == "pip3") && f[1] == "install" {
		return true
	}
	return strings.HasPrefix(b, "python") && len(f) >= 4 && f[1] == "-m" && (f[2] == "pip" || f[2] == "pip3") && f[3] == "install"
}

func pipArgs(f []string) []string {
	if strings.HasPrefix(base(f[0]), "python") {
		return f[4:]
	}
	return f[2:]
}

// unpinnedPip is Scorecard's isUnpinnedPipInstall: pinned only with
// --require-hashes, or installing only .whl files, or an editable install
// of a commit with --no-deps.
func unpinnedPip(args []string) bool {
	hashes, noDeps, editablePinned, wheels, others := false, false, false, 0, 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--require-hashes":
			hashes = true
		case a == "--no-deps":
			noDeps = true
		case a == "-e" || a == "--editable":
			if i+1 < len(args) && regexp.MustCompile(`^git\+.*@[a-fA-F\d]{40}$`).MatchString(args[i+1]) {
				editablePinned = true
			}
			i++
		case strings.HasPrefix(a, "-"):
			if a == "-r" || a == "--requirement" || a == "-c" || a == "--constraint" || a == "-i" || a == "--index-url" {
				if a == "-r" || a == "--requirement" {
					others++
				}
				i++
			}
		case strings.HasSuffix(a, ".whl"):
			wheels++
		default:
			others++
		}
	}
	if hashes {
		return false
	}
	if editablePinned && noDeps && others == 0 {
		return false
	}
	if wheels > 0 && others == 0 {
		return false
	}
	return wheels+others > 0 || editablePinned
}
