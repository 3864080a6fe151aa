package scanaction

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// sbomKind caps an SBOM file read from the workspace.
var sbomKind = action.Kind{Name: "SBOM", Max: 256 << 20}

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
	// Every path is read and written through the workspace jail: inside
	// the workspace after symlinks, regular files only, capped, never
	// written through a symlink.
	jail, err := rt.Jail()
	if err != nil {
		return err
	}
	sboms := map[string][]byte{}
	if archive != "" {
		rel, err := jail.Rel("image-archive", archive)
		if err != nil {
			return err
		}
		f, err := jail.Open("image-archive", rel, action.KindArchive)
		if err != nil {
			return err
		}
		f.Close()
		out, err := jail.Rel("sbom-file", rt.Input("sbom-file"))
		if err != nil {
			return err
		}
		open := func() (io.ReadCloser, error) { return jail.Open("image-archive", rel, action.KindArchive) }
		doc, err := supplychain.ArchiveSBOMFrom(ctx, rel, open, supplychain.FormatSPDX, "timetracker-ci", sbom.WithTempDir(rt.TempDir()),
			sbom.WithWarnf(func(f string, a ...any) { rt.Logf("warning: "+f, a...) }))
		if err != nil {
			return action.InputErrorf("image-archive", "%v", err)
		}
		if err := jail.WriteFile("sbom-file", out, doc, 0o644); err != nil {
			return err
		}
		sboms[archive] = doc
	}
	for _, f := range files {
		data, err := jail.ReadFile("sboms", strings.TrimSpace(f), sbomKind)
		if err != nil {
			return err
		}
		sboms[f] = data
	}
	var ignore *vulnscan.IgnoreFile
	if name := strings.TrimSpace(rt.Input("ignore-file")); name != "" {
		data, err := jail.ReadFile("ignore-file", name, action.KindConfig)
		switch {
		case errors.Is(err, fs.ErrNotExist) && name == ".github/vulnerability-ignore.yml":
		case err != nil:
			return err
		default:
			if ignore, err = vulnscan.ParseIgnoreFile(data); err != nil {
				return action.InputErrorf("ignore-file", "%s: %v", name, err)
			}
		}
	}
	sarifFile, err := jail.Rel("sarif-file", rt.Input("sarif-file"))
	if err != nil {
		return err
	}
	dbPath := strings.TrimSpace(rt.Input("osv-database"))
	downloaded := dbPath == ""
	if downloaded {
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
	}
	var db *vulnscan.Database
	if downloaded {
		db, err = vulnscan.Load(ctx, dbPath) // downloaded just now into RUNNER_TEMP
	} else if dbPath, err = jail.Rel("osv-database", dbPath); err == nil {
		db, err = vulnscan.LoadFS(ctx, jail.ReadFS("osv-database", action.KindReport), dbPath)
	}
	var refused *action.PathError
	if errors.As(err, &refused) {
		return err
	}
	if err != nil {
		return action.InputErrorf("osv-database", "%v", err)
	}
	rep, err := vulnscan.Scan(vulnscan.Request{SBOMs: sboms, DB: db, Threshold: threshold, Ignore: ignore, Now: time.Now().UTC(),
		SARIF: vulnscan.SARIFOptions{ToolVersion: rt.Getenv("TIMETRACKER_CI_VERSION"), Location: rt.Input("sarif-location"), Category: rt.Input("category")}})
	if err != nil {
		return err
	}
	if err := jail.WriteFile("sarif-file", sarifFile, rep.SARIF, 0o644); err != nil {
		return err
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
		rt.SetOutput("sarif-file", sarifFile),
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
