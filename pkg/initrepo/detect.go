package initrepo

import (
	"bufio"
	"context"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/doctor"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// Facts are what Detect found; each names where it came from so a user
// can tell why init chose it.
type Facts struct {
	PythonVersion    string   `json:"python-version"`
	PythonFrom       string   `json:"python-from"`
	Requirements     string   `json:"requirements,omitempty"`      // the runtime requirements file
	TestRequirements string   `json:"test-requirements,omitempty"` // the development/test requirements file
	Markers          []string `json:"markers"`
	MarkersFrom      string   `json:"markers-from,omitempty"`
	Dockerfile       bool     `json:"dockerfile"`
	HealthPath       string   `json:"health-path,omitempty"`
	HealthFrom       string   `json:"health-from,omitempty"`
	ContainerPort    int      `json:"container-port,omitempty"`
	Migrations       bool     `json:"migrations"`
	FlaskApp         string   `json:"flask-app,omitempty"` // FLASK_APP for flask db: wsgi, else app
	DefaultBranch    string   `json:"default-branch"`
	Image            string   `json:"image,omitempty"`
	ImageFrom        string   `json:"image-from,omitempty"`
}

var (
	fromPythonRe   = lazyre.New(`(?i)^FROM\s+(?:--platform=\S+\s+)?(?:docker\.io/)?(?:library/)?python:(\d+\.\d+)`)
	requiresPyRe   = lazyre.New(`^requires-python\s*=\s*["'][^0-9]*(\d+\.\d+)`)
	runtimeTxtRe   = lazyre.New(`^python-(\d+\.\d+)`)
	pyVersionRe    = lazyre.New(`^(\d+\.\d+)`)
	healthURLRe    = lazyre.New(`https?://[^/\s'"]+(?::\d+|:%s|:\$\{?\w+\}?)?(/[A-Za-z0-9_./-]*)`)
	routeRe        = lazyre.New(`\.(?:get|route)\(\s*["'](/_?(?:health|healthz|ready|readyz|_health)[A-Za-z0-9_/-]*)["']`)
	exposeRe       = lazyre.New(`(?i)^EXPOSE\s+(\d+)`)
	remoteRe       = lazyre.New(`github\.com[:/]([^/\s]+)/([^/\s]+?)(?:\.git)?/?$`)
	requirementsRe = lazyre.New(`^requirements(?:[-_.]([A-Za-z]+))?\.txt$`)
)

// Detect reads what the repository at root has, through a jail at root: a
// file symlinked out of the repository (or to /proc), a FIFO or an
// oversized file is not read.
func Detect(ctx context.Context, root string) (Facts, error) {
	w, err := workspace.Open(root)
	if err != nil {
		return Facts{}, fmt.Errorf("%s is not a folder: run init in the application repository", root)
	}
	defer w.Close()
	if st, err := w.Stat("dir", "."); err != nil || !st.IsDir() {
		return Facts{}, fmt.Errorf("%s is not a folder: run init in the application repository", root)
	}
	f := Facts{PythonVersion: "3.12", PythonFrom: "default", Markers: []string{}}
	read := func(name string) []string {
		data, err := w.ReadFile("dir", name, workspace.KindConfig)
		if err != nil {
			return nil
		}
		var ls []string
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		for sc.Scan() {
			ls = append(ls, strings.TrimSpace(sc.Text()))
		}
		return ls
	}
	// Python: what the image runs wins, then what the project pins.
	docker := read("Dockerfile")
	f.Dockerfile = docker != nil
	found := false
	for _, src := range []struct {
		file string
		re   *lazyre.Regexp
	}{{"Dockerfile", fromPythonRe}, {".python-version", pyVersionRe}, {"runtime.txt", runtimeTxtRe}, {"pyproject.toml", requiresPyRe}} {
		for _, l := range read(src.file) {
			if m := src.re.FindStringSubmatch(l); m != nil {
				f.PythonVersion, f.PythonFrom, found = m[1], src.file, true
				break
			}
		}
		if found {
			break
		}
	}
	// Requirements files.
	entries, err := w.ReadDir("dir", ".")
	if err != nil {
		return Facts{}, fmt.Errorf("reading %s: %w", root, err)
	}
	var reqs []string
	for _, e := range entries {
		if !e.IsDir() && requirementsRe.MatchString(e.Name()) {
			reqs = append(reqs, e.Name())
		}
	}
	sort.Strings(reqs)
	for _, r := range reqs {
		kind := requirementsRe.FindStringSubmatch(r)[1]
		switch {
		case kind == "" || kind == "prod" || kind == "production" || kind == "base":
			if f.Requirements == "" || kind == "" {
				f.Requirements = r
			}
		case kind == "dev" || kind == "test" || kind == "tests" || kind == "testing":
			if f.TestRequirements == "" || kind == "test" {
				f.TestRequirements = r
			}
		}
	}
	// Markers and where they are registered.
	file, markers, err := doctor.RegisteredMarkers(root)
	if err != nil {
		return Facts{}, err
	}
	f.Markers, f.MarkersFrom = markers, file
	// Health endpoint: the Dockerfile's HEALTHCHECK, else a route.
	for _, l := range docker {
		if m := exposeRe.FindStringSubmatch(l); m != nil && f.ContainerPort == 0 {
			f.ContainerPort, _ = strconv.Atoi(m[1])
		}
	}
	if i := indexPrefix(docker, "HEALTHCHECK"); i >= 0 {
		text := strings.Join(docker[i:min(i+4, len(docker))], " ")
		if m := healthURLRe.FindStringSubmatch(text); m != nil {
			f.HealthPath, f.HealthFrom = m[1], "Dockerfile HEALTHCHECK"
		}
	}
	if f.HealthPath == "" {
		f.HealthPath, f.HealthFrom = composeHealth(w)
	}
	if f.HealthPath == "" {
		f.HealthPath, f.HealthFrom = findRoute(w)
	}
	if st, err := w.Stat("dir", "migrations/versions"); err == nil && st.IsDir() {
		f.Migrations = true
	}
	for _, app := range []string{"wsgi", "app"} {
		if _, err := w.Stat("dir", app+".py"); err == nil {
			f.FlaskApp = app
			break
		}
	}
	f.DefaultBranch = defaultBranch(ctx, root)
	if url := git(ctx, root, "remote", "get-url", "origin"); url != "" {
		if m := remoteRe.FindStringSubmatch(url); m != nil {
			f.Image, f.ImageFrom = strings.ToLower("ghcr.io/"+m[1]+"/"+m[2]), "git remote origin"
		}
	}
	return f, nil
}

func indexPrefix(ls []string, prefix string) int {
	for i, l := range ls {
		if strings.HasPrefix(strings.ToUpper(l), prefix) {
			return i
		}
	}
	return -1
}

// composeHealth is the path a compose file's healthcheck requests.
func composeHealth(w *workspace.Workspace) (path, from string) {
	names, _ := w.Glob("dir", "*compose*.y*ml")
	sort.Strings(names)
	for _, n := range names {
		data, err := w.ReadFile("dir", n, workspace.KindConfig)
		if err != nil {
			continue
		}
		text := string(data)
		for {
			i := strings.Index(text, "healthcheck:")
			if i < 0 {
				break
			}
			text = text[i+len("healthcheck:"):]
			block := text[:min(len(text), 400)]
			if m := healthURLRe.FindStringSubmatch(block); m != nil && m[1] != "/" {
				return m[1], filepath.Base(n) + " healthcheck"
			}
		}
	}
	return "", ""
}

// routePreference orders health routes: the conventional names first, so a
// versioned API's /health (under a blueprint prefix) loses to /_health.
var routePreference = []string{"/_health", "/healthz", "/health", "/_ready", "/readyz", "/ready"}

// findRoute looks for a health route in the application's Python files.
func findRoute(w *workspace.Workspace) (path, from string) {
	var files []string
	_ = fs.WalkDir(w.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", ".venv", "venv", "tests", "migrations", "__pycache__":
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".py") && len(files) < 2000 {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	bestRank := len(routePreference) + 1
	for _, p := range files {
		data, err := w.ReadFile("dir", p, workspace.KindConfig)
		if err != nil {
			continue
		}
		for _, m := range routeRe.FindAllSubmatch(data, -1) {
			rank := len(routePreference)
			for i, r := range routePreference {
				if string(m[1]) == r {
					rank = i
				}
			}
			if rank < bestRank {
				path, from, bestRank = string(m[1]), p, rank
			}
		}
	}
	return path, from
}

// defaultBranch is origin's HEAD, else main or master when it exists,
// else the current branch, else main.
func defaultBranch(ctx context.Context, root string) string {
	if ref := git(ctx, root, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"); ref != "" {
		return strings.TrimPrefix(ref, "refs/remotes/origin/")
	}
	for _, b := range []string{"main", "master"} {
		if git(ctx, root, "rev-parse", "--verify", "--quiet", "refs/heads/"+b) != "" {
			return b
		}
	}
	if b := git(ctx, root, "symbolic-ref", "--quiet", "--short", "HEAD"); b != "" {
		return b
	}
	return "main"
}

func git(ctx context.Context, dir string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
