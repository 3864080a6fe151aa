package fakegithub

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// Name is the subcommand.
const Name = "fake-github"

// Command returns the fake-github subcommand.
func Command() *action.Command {
	return &action.Command{
		Name:    Name,
		Hidden:  true,
		Summary: "(for scripts) serve a fake GitHub API on a local port and print its URL",
		Run:     run,
	}
}

// Options are the command's flags.
type Options struct {
	Listen        string
	Owner, Repo   string
	DefaultBranch string
	Token         string
	ReadOnly      bool
	URLFile       string
	// GitDir, when set, is a git repository whose commits, branches and
	// tags the fake mirrors (read again before every request), as GitHub
	// knows what was pushed to it.
	GitDir string
	// GitPush also serves pushes to GitDir over git's smart HTTP at
	// /<owner>/<repo>.git, refusing workflow-file changes from tokens
	// without the workflows permission, as GitHub does.
	GitPush bool
	// WorkflowTokens hold the workflows permission (a PAT's workflow scope).
	WorkflowTokens []string
	// AppClientID and AppPermissions install a GitHub App that mints
	// installation tokens (permissions as scope=level, comma-separated).
	AppClientID    string
	AppPermissions string
}

func parse(args []string, stderr io.Writer) (Options, error) {
	var o Options
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&o.Owner, "owner", "org", "owner of the fake repository")
	fs.StringVar(&o.Repo, "repo", "timetracker", "name of the fake repository")
	fs.StringVar(&o.DefaultBranch, "default-branch", "main", "default branch of the fake repository")
	fs.StringVar(&o.Token, "token", "", "token every request must carry (none when empty)")
	fs.BoolVar(&o.ReadOnly, "read-only", false, "answer every write with 403, as for a token without contents: write")
	fs.StringVar(&o.URLFile, "url-file", "", "also write the API URL to this file once the port is open")
	fs.BoolVar(&o.GitPush, "git-push", false, "also serve pushes to --git over HTTP at /<owner>/<repo>.git, refusing workflow-file changes without the workflows permission")
	fs.Func("workflow-token", "a token holding the workflows permission (repeatable)", func(v string) error {
		o.WorkflowTokens = append(o.WorkflowTokens, v)
		return nil
	})
	fs.StringVar(&o.AppClientID, "app-client-id", "", "install a GitHub App with this client ID that mints installation tokens")
	fs.StringVar(&o.AppPermissions, "app-permissions", "contents=write", "the app installation's permissions, scope=level comma-separated")
	fs.StringVar(&o.GitDir, "git", "", "a git repository whose commits, branches and tags the fake mirrors (what was pushed to \"GitHub\")")
	if err := action.ParseFlags(fs, args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, action.UsageErrorf("fake-github takes only flags, not %q", fs.Arg(0))
	}
	return o, nil
}

func run(ctx context.Context, env action.Env, args []string) error {
	o, err := parse(args, env.Stderr)
	if err != nil {
		return err // flag.ErrHelp after --help: Program.Main exits 0
	}
	return Serve(ctx, o, func(apiURL string) error {
		if _, err := fmt.Fprintln(env.Stdout, apiURL); err != nil {
			return err
		}
		if o.URLFile != "" {
			return os.WriteFile(o.URLFile, []byte(apiURL+"\n"), 0o644)
		}
		return nil
	})
}

// Serve runs the fake until ctx is done. ready gets the API URL once the
// port is open. Besides the API (under /api/v3 and /api/uploads) it serves
// inspection endpoints for scripts: /_fake/deployments (every deployment
// with its states), /_fake/releases (every release with its assets, drafts
// included), /_fake/requests (the request log), /_fake/comments and
// /_fake/check-runs, and POST
// /_fake/pulls?number=N&head=BRANCH&base=BRANCH&sha=SHA[&fork=true], which
// opens a pull request (GitHub's side of someone opening one).
func Serve(ctx context.Context, o Options, ready func(apiURL string) error) error {
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("fake-github: listening on %s: %w (pick a free address with --listen 127.0.0.1:0)", o.Listen, err)
	}
	fo := githubfake.Options{Owner: o.Owner, Repo: o.Repo, DefaultBranch: o.DefaultBranch, Token: o.Token, ReadOnly: o.ReadOnly}
	if o.AppClientID != "" {
		fo.App = &githubfake.App{ClientID: o.AppClientID, Permissions: map[string]string{}}
		for _, kv := range strings.Split(o.AppPermissions, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
				fo.App.Permissions[k] = v
			}
		}
	}
	s := githubfake.New(fo)
	s.URL = "http://" + ln.Addr().String()
	h := Handler(s)
	if o.GitPush && o.GitDir != "" {
		api, push := h, s.GitPushHandler(o.GitDir, o.WorkflowTokens...)
		prefix := "/" + o.Owner + "/" + o.Repo + ".git/"
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, prefix) {
				push.ServeHTTP(w, r)
				return
			}
			api.ServeHTTP(w, r)
		})
	}
	if o.GitDir != "" {
		dir, cleanup, err := openableDir(o.GitDir)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer cleanup()
		if err := mirrorRefs(s, dir); err != nil {
			_ = ln.Close()
			return err
		}
		h = withMirror(s, dir, h)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if ready != nil {
		if err := ready(s.APIURL()); err != nil {
			_ = srv.Close()
			return fmt.Errorf("fake-github: announcing the URL: %w", err)
		}
	}
	select {
	case err := <-done:
		return fmt.Errorf("fake-github: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("fake-github: shutting down: %w", err)
		}
		return nil
	}
}

// Handler serves the fake's API plus the /_fake/ inspection endpoints.
func Handler(s *githubfake.Server) http.Handler {
	api := s.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/_fake/releases":
			writeJSON(w, s.Releases())
		case r.Method == http.MethodGet && r.URL.Path == "/_fake/requests":
			writeJSON(w, s.Requests())
		case r.Method == http.MethodGet && r.URL.Path == "/_fake/deployments":
			writeJSON(w, s.Deployments())
		case r.Method == http.MethodGet && r.URL.Path == "/_fake/comments":
			writeJSON(w, s.Comments(0))
		case r.Method == http.MethodGet && r.URL.Path == "/_fake/check-runs":
			writeJSON(w, s.CheckRuns())
		case r.Method == http.MethodPost && r.URL.Path == "/_fake/pulls":
			openPull(s, w, r)
		case strings.HasPrefix(r.URL.Path, "/_fake/"):
			http.NotFound(w, r)
		default:
			api.ServeHTTP(w, r)
		}
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client hung up: nothing to do
}

// withMirror refreshes the mirrored refs before every request.
func withMirror(s *githubfake.Server, dir string, next http.Handler) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		err := mirrorRefs(s, dir)
		mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// openableDir returns a folder the importer can open for dir: dir itself
// for a working copy, or for a bare repository (what a git server holds) a
// temporary folder whose .git file points at it, since the importer looks
// for a .git entry.
func openableDir(dir string) (string, func(), error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("fake-github: --git %s: %w", dir, err)
	}
	_, errDotGit := os.Stat(filepath.Join(abs, ".git"))
	_, errHead := os.Stat(filepath.Join(abs, "HEAD"))
	if errDotGit == nil || errHead != nil {
		return abs, func() {}, nil // a working copy, or not a repository: the import says so
	}
	tmp, err := os.MkdirTemp("", "fake-github-git-")
	if err != nil {
		return "", nil, fmt.Errorf("fake-github: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".git"), []byte("gitdir: "+abs+"\n"), 0o644); err != nil {
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("fake-github: %w", err)
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// mirrorRefs imports the repository's commits, branches and tags into the
// fake (real hashes, tags peeled); refs the fake created itself through the
// API are kept.
func mirrorRefs(s *githubfake.Server, dir string) error {
	if err := s.ImportGit(dir); err != nil {
		return fmt.Errorf("fake-github: mirroring %s: %w (give --git a git repository)", dir, err)
	}
	return nil
}

func openPull(s *githubfake.Server, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("number"))
	if err != nil || n < 1 || q.Get("sha") == "" || q.Get("base") == "" {
		http.Error(w, "give number (a positive integer), head, base and sha", http.StatusBadRequest)
		return
	}
	s.OpenPullRequest(n, q.Get("head"), q.Get("base"), q.Get("sha"), q.Get("fork") == "true")
	w.WriteHeader(http.StatusCreated)
}
