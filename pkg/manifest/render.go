package manifest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/org/timetracker-ci/pkg/manifest/tmpl"

	"github.com/org/timetracker-ci/pkg/inputerror"
)

//go:embed templates/*.tmpl
var builtin embed.FS

// Names of the files the built-in templates and Render produce.
const (
	ComposeProduction = "docker-compose.production.yml"
	ComposeDev        = "deployment-dev.yml"
	Kubernetes        = "k8s-deployment.yml"
	DeploymentJSON    = "deployment.json"
	Checksums         = "SHA256SUMS"
)

// Data is what templates see as dot. See the package documentation.
type Data struct {
	Image     ImageData
	Version   string
	Revision  string
	BuildTime string
	Values    Values
}

// ImageData is Image as templates see it (fields only: templates here have no
// method calls).
type ImageData struct {
	Name, Tag, Digest, Ref string
	Platforms              []string
}

// Options say what to render.
type Options struct {
	Image     Image
	Version   string // e.g. 1.2.3; defaults to the image tag
	Revision  string // the commit
	BuildTime string // RFC 3339, from an input or the commit time, never the clock
	Values    Values
	// Templates is a folder of *.tmpl files, each rendering to its name
	// without .tmpl; files starting with _ only define shared templates.
	// nil means the built-in TimeTracker templates.
	Templates fs.FS
	// TemplatesLabel names the folder in error messages.
	TemplatesLabel string
	// Files selects outputs by name; empty means all. SHA256SUMS is always
	// written and covers the others.
	Files []string
}

// Kind says how a file was validated.
type Kind string

const (
	KindCompose    Kind = "compose"
	KindKubernetes Kind = "kubernetes"
	KindJSON       Kind = "json"
	KindChecksums  Kind = "checksums"
	KindText       Kind = "text" // no validator applies; written as rendered
)

// File is one rendered, validated file.
type File struct {
	Name     string
	Data     []byte
	Kind     Kind
	Template string // the template it came from, if any
}

// SHA256 is the hex digest of the file's bytes.
func (f File) SHA256() string {
	sum := sha256.Sum256(f.Data)
	return hex.EncodeToString(sum[:])
}

// TemplateError is a template that failed to parse, execute or validate.
type TemplateError struct {
	Template string // file name of the template
	Err      error
}

func (e *TemplateError) Error() string { return e.Err.Error() }
func (e *TemplateError) Unwrap() error { return e.Err }

// Render renders, validates and checksums every selected file. The result is
// sorted by name with SHA256SUMS last, and depends only on opts.
func Render(ctx context.Context, opts Options) ([]File, error) {
	if err := opts.Image.validate(); err != nil {
		return nil, err
	}
	if opts.Version == "" {
		opts.Version = opts.Image.Tag
	}
	for what, v := range map[string]string{"version": opts.Version, "revision": opts.Revision, "build time": opts.BuildTime} {
		if err := CheckScalar(what, v); err != nil {
			return nil, err
		}
	}
	if opts.Values.All == nil {
		v, err := ParseValues("", false)
		if err != nil {
			return nil, err
		}
		opts.Values = v
	}
	fsys, label := opts.Templates, opts.TemplatesLabel
	if fsys == nil {
		sub, err := fs.Sub(builtin, "templates")
		if err != nil {
			return nil, err
		}
		fsys, label = sub, "built-in templates"
	}
	set, outputs, err := loadTemplates(fsys, label)
	if err != nil {
		return nil, err
	}
	want, err := selectFiles(outputs, opts.Files)
	if err != nil {
		return nil, err
	}
	plats := append([]string(nil), opts.Image.Platforms...)
	sort.Strings(plats)
	data := Data{
		Image: ImageData{Name: opts.Image.Name, Tag: opts.Image.Tag, Digest: opts.Image.Digest,
			Ref: opts.Image.Ref(), Platforms: plats},
		Version: opts.Version, Revision: opts.Revision, BuildTime: opts.BuildTime, Values: opts.Values,
	}
	var files []File
	for _, out := range outputs {
		if !want[out.name] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b := &limitedBuffer{max: MaxFileSize}
		if err := set.Execute(b, out.template, data); err != nil {
			if b.overflow {
				err = fmt.Errorf("template %s renders more than %d MiB: check its range loops", out.template, MaxFileSize>>20)
			}
			return nil, &TemplateError{Template: out.template, Err: err}
		}
		f := File{Name: out.name, Data: b.Bytes(), Template: out.template}
		kind, err := Validate(ctx, f.Name, f.Data, opts.Image)
		if err != nil {
			return nil, &TemplateError{Template: out.template, Err: fmt.Errorf("%s (rendered from %s) is not valid: %w", f.Name, out.template, err)}
		}
		f.Kind = kind
		files = append(files, f)
	}
	if want[DeploymentJSON] {
		f, err := deploymentJSON(data)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return append(files, checksums(files)), nil
}

// MaxFileSize bounds one rendered file, so that a runaway loop in a user
// template fails instead of filling the disk.
const MaxFileSize = 8 << 20

type limitedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.Len()+len(p) > l.max {
		l.overflow = true
		return 0, io.ErrShortWrite
	}
	return l.Buffer.Write(p)
}

type output struct{ name, template string }

func loadTemplates(fsys fs.FS, label string) (*tmpl.Set, []output, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("templates %s: %w", label, err)
	}
	set := tmpl.New(nil)
	var outputs []output
	for _, e := range entries { // ReadDir sorts by name: a stable parse order
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".tmpl") {
			continue
		}
		text, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, nil, fmt.Errorf("templates %s: %w", label, err)
		}
		if err := set.Parse(n, string(text)); err != nil {
			return nil, nil, &TemplateError{Template: n, Err: err}
		}
		if strings.HasPrefix(n, "_") {
			continue
		}
		name := strings.TrimSuffix(n, ".tmpl")
		if name == Checksums || name == DeploymentJSON || name != path.Base(name) || name == "" {
			return nil, nil, &TemplateError{Template: n, Err: fmt.Errorf("template %s in %s: %s is written by the action itself; rename the template", n, label, name)}
		}
		outputs = append(outputs, output{name: name, template: n})
	}
	if len(outputs) == 0 {
		return nil, nil, fmt.Errorf("templates %s: no *.tmpl files found (each NAME.tmpl renders to NAME; _*.tmpl only define shared parts)", label)
	}
	return set, outputs, nil
}

func selectFiles(outputs []output, files []string) (map[string]bool, error) {
	avail := map[string]bool{DeploymentJSON: true}
	for _, o := range outputs {
		avail[o.name] = true
	}
	if len(files) == 0 {
		return avail, nil
	}
	want := map[string]bool{}
	for _, f := range files {
		f = strings.TrimSpace(f)
		if f == Checksums {
			continue // always written
		}
		if !avail[f] {
			names := make([]string, 0, len(avail))
			for n := range avail {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, inputerror.Errorf("files", "%q is not one of the files the templates produce: %s", f, strings.Join(names, ", "))
		}
		want[f] = true
	}
	return want, nil
}

// Deployment is the content of deployment.json.
type Deployment struct {
	Image     string   `json:"image"`
	Tag       string   `json:"tag,omitempty"`
	Digest    string   `json:"digest"`
	Ref       string   `json:"ref"`
	Platforms []string `json:"platforms"`
	Version   string   `json:"version"`
	Revision  string   `json:"revision"`
	BuildTime string   `json:"build_time"`
}

func deploymentJSON(d Data) (File, error) {
	plats := d.Image.Platforms
	if plats == nil {
		plats = []string{}
	}
	b, err := json.MarshalIndent(Deployment{
		Image: d.Image.Name, Tag: d.Image.Tag, Digest: d.Image.Digest, Ref: d.Image.Ref,
		Platforms: plats, Version: d.Version, Revision: d.Revision, BuildTime: d.BuildTime,
	}, "", "  ")
	if err != nil {
		return File{}, err
	}
	return File{Name: DeploymentJSON, Data: append(b, '\n'), Kind: KindJSON}, nil
}

// checksums is in sha256sum's format, so `sha256sum -c SHA256SUMS` checks
// the downloaded files.
func checksums(files []File) File {
	var b bytes.Buffer
	for _, f := range files {
		fmt.Fprintf(&b, "%s  %s\n", f.SHA256(), f.Name)
	}
	return File{Name: Checksums, Data: b.Bytes(), Kind: KindChecksums}
}

// ErrNotManifest is returned by Validate for YAML that is neither a compose
// file nor Kubernetes documents.
var ErrNotManifest = errors.New("YAML that is neither a compose file (top-level services:) nor Kubernetes documents (apiVersion: and kind:); only those can be validated")

// DeploymentOf is deployment.json's content (without the final newline) for
// opts, whether or not the file is selected.
func DeploymentOf(opts Options) (string, error) {
	if opts.Version == "" {
		opts.Version = opts.Image.Tag
	}
	plats := append([]string(nil), opts.Image.Platforms...)
	sort.Strings(plats)
	f, err := deploymentJSON(Data{Image: ImageData{Name: opts.Image.Name, Tag: opts.Image.Tag, Digest: opts.Image.Digest,
		Ref: opts.Image.Ref(), Platforms: plats}, Version: opts.Version, Revision: opts.Revision, BuildTime: opts.BuildTime})
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(f.Data)), nil
}
