package doctor

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/org/timetracker-ci/pkg/tiers"
)

// Severity of a finding: errors fail the run, warnings do not.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one problem at a place in the repository.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"` // slash-separated, relative to the repository
	Line     int      `json:"line,omitempty"`
	Message  string   `json:"message"` // what is wrong, naming the thing
	Why      string   `json:"why"`
	Fix      string   `json:"fix"`
}

func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return fmt.Sprintf("%s: %s: %s [%s]\n  why: %s\n  fix: %s", loc, f.Severity, f.Message, f.Rule, f.Why, f.Fix)
}

// Options configure an audit.
type Options struct {
	// Tiers are the test tiers the workflows run; nil means the built-in
	// five (smoke, unit, integration, security, database).
	Tiers []tiers.Tier
	// Repo is how workflows name timetracker-ci in uses:, e.g.
	// "org/timetracker-ci".
	Repo string
}

// Run audits the repository at root. The findings are sorted by file and
// line; an error means the repository could not be read.
func Run(ctx context.Context, root string, o Options) ([]Finding, error) {
	r, err := openRepo(root)
	if err != nil || !r.isDir(".") {
		if r != nil {
			r.close()
		}
		return nil, fmt.Errorf("%s is not a folder: give the application repository's root", root)
	}
	defer r.close()
	if o.Tiers == nil {
		o.Tiers = tiers.Defaults()
	}
	if o.Repo == "" {
		o.Repo = "org/timetracker-ci"
	}
	var out []Finding
	for _, check := range []func(context.Context, *repo, Options) ([]Finding, error){
		checkPytest, checkWorkflows, checkDockerfile, checkMigrations,
	} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fs, err := check(ctx, r, o)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

// Count returns the number of errors and warnings.
func Count(fs []Finding) (errors, warnings int) {
	for _, f := range fs {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Rule is one kind of finding: the same why and fix every time.
type Rule struct {
	ID       string
	Severity Severity
	Why, Fix string
}

func (r Rule) at(file string, line int, format string, args ...any) Finding {
	return Finding{Rule: r.ID, Severity: r.Severity, File: filepath.ToSlash(file), Line: line, Message: fmt.Sprintf(format, args...), Why: r.Why, Fix: r.Fix}
}

// Rules lists every rule, for the documentation check.
func Rules() []Rule { return append([]Rule(nil), allRules...) }

var (
	ruleMarkerUnregistered = Rule{"marker-unregistered", Error,
		"pytest --strict-markers (and the tier selection with -m) fails or silently selects nothing for a marker pytest does not know",
		"register the marker under markers = in pytest.ini (or [tool.pytest.ini_options] in pyproject.toml), with a one-line description"}
	ruleMarkerUnused = Rule{"marker-unused", Warning,
		"a registered marker no test uses makes a tier that selects it run nothing",
		"remove the marker from markers =, or mark the tests it was meant for"}
	ruleCovFailUnder = Rule{"cov-fail-under", Error,
		"--cov-fail-under in addopts applies to every pytest run, and a tier or shard runs only a subset of the tests, so its coverage is lower and every subset run fails",
		"remove --cov-fail-under from addopts; set the threshold once on the merged report (test-report's coverage-threshold input)"}
	ruleNoTier = Rule{"no-tier", Warning,
		"tiers select tests by marker; a test with none of the tiers' markers is run by no tier, so CI never runs it",
		"give the tests a tier marker (@pytest.mark.unit, or pytestmark = pytest.mark.unit for the whole file)"}
	ruleSymlinkNotSearched = Rule{"symlink-not-searched", Warning,
		"pytest collects tests through a symlinked folder, but test-plan searches only folders inside the repository (and each once), so the tests pytest finds through this link are in no shard and CI never runs them",
		"move the tests inside the repository (or point the link at a folder inside it); remove a link that loops or repeats another"}
	ruleShallowCheckout = Rule{"shallow-checkout", Error,
		"actions/checkout fetches one commit and no tags by default; the version and release actions need the tags and commits since the last release",
		"add with: fetch-depth: 0 to the checkout step (with no checkout, add actions/checkout with fetch-depth: 0 before the action)"}
	rulePermissionsMissing = Rule{"permissions-missing", Warning,
		"without permissions: the GITHUB_TOKEN gets the repository's default, often write to everything",
		"declare the least the workflow needs: permissions: {contents: read} at the top, more per job where needed"}
	rulePermissionsBroad = Rule{"permissions-broad", Error,
		"write-all gives every job's token write access to every scope; one compromised step can push code or packages",
		"replace write-all with the scopes the job needs, e.g. {contents: write, packages: write}"}
	ruleUnpinned = Rule{"unpinned-action", Warning,
		"a tag or branch of a third-party action can be moved to other code after you reviewed it",
		"pin it to a full commit SHA with the version as a comment: uses: owner/action@<40-hex sha> # v4.2.2 (dependabot keeps pins current)"}
	ruleDockerRoot = Rule{"dockerfile-root", Warning,
		"a container that runs as root turns any code execution in the app into root in the container",
		"create a user and switch to it before CMD: RUN useradd --system --uid 10001 app and USER 10001"}
	ruleDockerHealth = Rule{"dockerfile-healthcheck", Warning,
		"with no HEALTHCHECK in the image and no healthcheck: on its compose service, docker run and the repository's compose cannot tell a hung app from a running one (the compose and Kubernetes manifests timetracker-ci generates define their own probes)",
		"add HEALTHCHECK CMD that requests the app's health endpoint, e.g. /_health, or a healthcheck: on the compose service that builds the image"}
	ruleMigrationHeads = Rule{"migration-heads", Error,
		"with two heads, flask db upgrade (alembic upgrade head) refuses to run and the deployment's migration step fails",
		"merge them: flask db merge -m 'merge heads' <head> <head>, and commit the new revision"}
	ruleImageUpper = Rule{"image-uppercase", Error,
		"registries refuse repository names with upper case; the push fails after the build",
		"write the image name in lower case (the version action lower-cases the repository for you when images is left empty)"}
	ruleSecretOutputs = Rule{"secret-outputs", Warning,
		"GitHub drops a job output that contains a secret (it is masked), so a later job reads an empty value",
		"move the step that reads the secret into a job without outputs:, or pass what later jobs need without the secret in it"}

	allRules = []Rule{ruleMarkerUnregistered, ruleMarkerUnused, ruleCovFailUnder, ruleNoTier, ruleSymlinkNotSearched, ruleShallowCheckout,
		rulePermissionsMissing, rulePermissionsBroad, ruleUnpinned, ruleDockerRoot, ruleDockerHealth, ruleMigrationHeads,
		ruleImageUpper, ruleSecretOutputs}
)
