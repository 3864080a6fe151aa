package scanaction

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/sbom"
	"github.com/org/timetracker-ci/pkg/supplychain"
	"github.com/org/timetracker-ci/pkg/vulnscan"
)

const maxSBOM = 256 << 20

// local resolves a workspace-relative input path, refusing escapes.
func local(rt *action.Runtime, input, p string) (string, error) {
	clean := filepath.Clean(strings.TrimSpace(p))
	if !filepath.IsLocal(clean) {
		return "", action.InputErrorf(input, "%q is outside the workspace: give a path relative to it", p)
	}
	return filepath.Join(rt.Workspace(), clean), nil
}

func run(ctx context.Context, rt *action.Runtime) error {
	threshold, ok := vulnscan.ParseLevel(rt.Input("severity-threshold"))
	if !ok {
		return action.InputErrorf("severity-threshold", "is %q: use critical, high, medium, low or none", rt.Input("severity-threshold"))
	}
	files := rt.List("sboms")
	archive := strings.TrimSpace(rt.Input("image-archive"))
	if len(files) == 0 && archive == "" {
		return action.InputErrorf("sboms", "lists no file and image-archive is empty: give the SBOM files to scan, or an image saved with docker save")
	}
	sboms := map[string][]byte{}
	if archive != "" {
		p, err := local(rt, "image-archive", archive)
		if err != nil {
			return err
		}
		out, err := local(rt, "sbom-file", rt.Input("sbom-file"))
		if err != nil {
			return err
		}
		doc, err := supplychain.ArchiveSBOM(ctx, p, supplychain.FormatSPDX, "timetracker-ci", sbom.WithTempDir(rt.TempDir()),
			sbom.WithWarnf(func(f string, a ...any) { rt.Logf("warning: "+f, a...) }))
		if err != nil {
			return action.InputErrorf("image-archive", "%v", err)
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return fmt.Errorf("creating the folder of sbom-file: %w", err)
		}
		if err := os.WriteFile(out, doc, 0o644); err != nil {
			return fmt.Errorf("writing sbom-file: %w", err)
		}
		sboms[archive] = doc
	}
	for _, f := range files {
		p, err := local(rt, "sboms", f)
		if err != nil {
			return err
		}
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			return action.InputErrorf("sboms", "%q is not a readable file", f)
		}
		if st.Size() > maxSBOM {
			return action.InputErrorf("sboms", "%q is larger than 256 MiB", f)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return action.InputErrorf("sboms", "%q: %v", f, err)
		}
		sboms[f] = data
	}
	var ignore *vulnscan.IgnoreFile
	if name := strings.TrimSpace(rt.Input("ignore-file")); name != "" {
		p, err := local(rt, "ignore-file", name)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist) && name == ".github/vulnerability-ignore.yml":
		case err != nil:
			return action.InputErrorf("ignore-file", "%q: %v", name, err)
		default:
			if ignore, err = vulnscan.ParseIgnoreFile(data); err != nil {
				return action.InputErrorf("ignore-file", "%s: %v", name, err)
			}
		}
	}
	sarifFile, err := local(rt, "sarif-file", rt.Input("sarif-file"))
	if err != nil {
		return err
	}
	dbPath := strings.TrimSpace(rt.Input("osv-database"))
	if dbPath == "" {
		dbPath = filepath.Join(rt.TempDir(), "osv")
		if err := os.MkdirAll(dbPath, 0o755); err != nil {
			return err
		}
		err := rt.Group("Download OSV records", func() error {
			return vulnscan.Download(ctx, nil, rt.Input("osv-url"), dbPath, vulnscan.Ecosystems)
		})
		if err != nil {
			return err
		}
	} else if dbPath, err = local(rt, "osv-database", dbPath); err != nil {
		return err
	}
	db, err := vulnscan.Load(ctx, dbPath)
	if err != nil {
		return action.InputErrorf("osv-database", "%v", err)
	}
	rep, err := vulnscan.Scan(vulnscan.Request{SBOMs: sboms, DB: db, Threshold: threshold, Ignore: ignore, Now: time.Now().UTC(),
		SARIF: vulnscan.SARIFOptions{ToolVersion: rt.Getenv("TIMETRACKER_CI_VERSION"), Location: rt.Input("sarif-location"), Category: rt.Input("category")}})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(sarifFile), 0o755); err != nil {
		return fmt.Errorf("creating the folder of sarif-file: %w", err)
	}
	if err := os.WriteFile(sarifFile, rep.SARIF, 0o644); err != nil {
		return fmt.Errorf("writing sarif-file: %w", err)
	}
	for _, line := range strings.Split(strings.TrimRight(rep.String(), "\n"), "\n") {
		rt.Logf("%s", line)
	}
	for _, e := range rep.Expired {
		rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "Expired vulnerability ignore entry",
			Message: fmt.Sprintf("%s expired on %s and ignores nothing now: fix the package or renew the entry (%s)", e.ID, e.Expires, e.Reason)})
	}
	rt.SetSummary(func(action.Detail) string { return summary(rep) })
	if err := errors.Join(
		rt.SetOutput("findings", fmt.Sprint(len(rep.Findings))),
		rt.SetOutput("failing", fmt.Sprint(len(rep.Failing))),
		rt.SetOutput("sarif-file", filepath.ToSlash(filepath.Clean(rt.Input("sarif-file")))),
		rt.SetOutputJSON("json", rep),
	); err != nil {
		return err
	}
	if len(rep.Failing) > 0 {
		var ids []string
		for _, f := range rep.Failing {
			ids = append(ids, fmt.Sprintf("%s (%s in %s %s)", f.ID, f.Severity, f.Package.Name, f.Package.Version))
			rt.Annotate(action.Annotation{Level: action.LevelError, Title: "Vulnerability " + f.ID,
				Message: fmt.Sprintf("%s %s %s: %s (%s)", f.Package.Ecosystem, f.Package.Name, f.Package.Version, f.Summary, f.Severity)})
		}
		return fmt.Errorf("%d vulnerabilit(ies) at or above %s: %s: upgrade the packages, or add an entry with an expiry date to the ignore file",
			len(rep.Failing), rep.Threshold, strings.Join(ids, ", "))
	}
	return nil
}

func summary(rep *vulnscan.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Vulnerability scan\n\n%d packages, %d OSV records: %d finding(s), **%d failing** (threshold %s).\n\n",
		rep.Packages, rep.Records, len(rep.Findings), len(rep.Failing), rep.Threshold)
	if len(rep.Findings) > 0 {
		b.WriteString("| Severity | Vulnerability | Package | Version | Fixed in | Ignored |\n|---|---|---|---|---|---|\n")
		for _, f := range rep.Findings {
			ign := ""
			if f.Ignored != nil {
				ign = "until " + f.Ignored.Expires
			}
			fmt.Fprintf(&b, "| %s | [%s](%s) | %s %s | %s | %s | %s |\n", f.Severity, f.ID, f.URL, f.Package.Ecosystem, f.Package.Name, f.Package.Version, f.Fixed, ign)
		}
	}
	return b.String()
}
