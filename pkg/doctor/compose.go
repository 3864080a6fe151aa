package doctor

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// composeHealth is what the repository's compose files say about the
// health check of the image a Dockerfile builds.
type composeHealth struct {
	builders []string // "file: service" building the Dockerfile
	checked  string   // "file: service" whose healthcheck counts; "" for none
}

// composeHealthOf reads the compose files at the repository's root
// (*compose*.y*ml, as docker compose names them). A service counts when
// it builds dockerfile and defines an enabled healthcheck; when no service
// builds it (the app service pulls an image, or the build cannot be read),
// a healthcheck on any service that builds no other Dockerfile counts, as
// the one built from dockerfile cannot be told apart. A compose file the
// jail refuses stops the audit, as every refused file does; one that is
// not YAML counts for nothing.
func composeHealthOf(root *repo, dockerfile string) (composeHealth, error) {
	names, _ := root.w.Glob("path", "*compose*.y*ml")
	sort.Strings(names)
	var h composeHealth
	unknown := "" // the first service with a healthcheck whose build is not another Dockerfile
	for _, name := range names {
		if root.isDir(name) {
			continue
		}
		data, err := root.read(name)
		if err != nil {
			return composeHealth{}, fmt.Errorf("reading %s: %w", name, err)
		}
		var doc struct {
			Services map[string]yaml.Node `yaml:"services"`
		}
		if yaml.Unmarshal(data, &doc) != nil {
			continue
		}
		services := make([]string, 0, len(doc.Services))
		for s := range doc.Services {
			services = append(services, s)
		}
		sort.Strings(services)
		for _, s := range services {
			n := doc.Services[s]
			var svc struct {
				Build       yaml.Node `yaml:"build"`
				Healthcheck yaml.Node `yaml:"healthcheck"`
			}
			if n.Decode(&svc) != nil {
				continue
			}
			where := name + ": " + s
			builds, other := buildsDockerfile(&svc.Build, path.Dir(name), dockerfile)
			checked := healthcheckEnabled(&svc.Healthcheck)
			switch {
			case builds:
				h.builders = append(h.builders, where)
				if checked && h.checked == "" {
					h.checked = where
				}
			case checked && !other && unknown == "":
				unknown = where
			}
		}
	}
	if len(h.builders) == 0 {
		h.checked = unknown
	}
	return h, nil
}

// buildsDockerfile reports whether a service's build: builds dockerfile
// (a repository path), and whether it certainly builds another one.
func buildsDockerfile(b *yaml.Node, dir, dockerfile string) (builds, other bool) {
	context, file := "", "Dockerfile"
	switch b.Kind {
	case 0:
		return false, false // no build: an image
	case yaml.ScalarNode:
		context = b.Value
	case yaml.MappingNode:
		var long struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		}
		if b.Decode(&long) != nil {
			return false, false
		}
		context = long.Context
		if long.Dockerfile != "" {
			file = long.Dockerfile
		}
	default:
		return false, false
	}
	if context == "" {
		context = "."
	}
	if strings.Contains(context+file, "${") || strings.Contains(context, "://") || path.IsAbs(file) {
		return false, false // interpolated or remote: cannot tell
	}
	got := path.Clean(path.Join(dir, context, file))
	if got == path.Clean(dockerfile) {
		return true, false
	}
	return false, true
}

// healthcheckEnabled: a healthcheck: mapping with a test that is not NONE
// and without disable: true.
func healthcheckEnabled(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	var hc struct {
		Test    yaml.Node `yaml:"test"`
		Disable bool      `yaml:"disable"`
	}
	if n.Decode(&hc) != nil || hc.Disable {
		return false
	}
	switch hc.Test.Kind {
	case yaml.ScalarNode:
		return strings.TrimSpace(hc.Test.Value) != ""
	case yaml.SequenceNode:
		var test []string
		if hc.Test.Decode(&test) != nil || len(test) == 0 {
			return false
		}
		return !strings.EqualFold(test[0], "NONE")
	}
	return false
}
