package doctor

import (
	"context"
	"fmt"
	"strings"
)

func checkDockerfile(ctx context.Context, root *repo, o Options) ([]Finding, error) {
	const name = "Dockerfile"
	data, err := root.read(name)
	if notExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	// Only the final stage runs; USER and HEALTHCHECK of a build stage do
	// not count.
	user, health, lastFrom, cmdLine := "", false, 1, 0
	ls := lines(data)
	for i := 0; i < len(ls); i++ {
		l := strings.TrimSpace(ls[i])
		for strings.HasSuffix(l, `\`) && i+1 < len(ls) {
			i++
			l = strings.TrimSuffix(l, `\`) + " " + strings.TrimSpace(ls[i])
		}
		instr, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			user, health, lastFrom, cmdLine = "", false, i+1, 0
		case "USER":
			user = strings.TrimSpace(rest)
		case "HEALTHCHECK":
			health = !strings.EqualFold(strings.TrimSpace(rest), "NONE")
		case "CMD", "ENTRYPOINT":
			if cmdLine == 0 {
				cmdLine = i + 1
			}
		}
	}
	line := cmdLine
	if line == 0 {
		line = lastFrom
	}
	var out []Finding
	u, _, _ := strings.Cut(user, ":")
	if u == "" || u == "root" || u == "0" {
		out = append(out, ruleDockerRoot.at(name, line, "the image runs as root (no USER in the final stage, or USER root)"))
	}
	if !health {
		// A healthcheck: on the compose service that runs the image is
		// the repository's health check (the compose and Kubernetes
		// manifests timetracker-ci generates define their own probes).
		h, err := composeHealthOf(root, name)
		if err != nil {
			return nil, err
		}
		switch {
		case h.checked != "":
		case len(h.builders) > 0:
			out = append(out, ruleDockerHealth.at(name, line, "the image has no HEALTHCHECK, and the compose service that builds it (%s) defines no healthcheck:", strings.Join(h.builders, ", ")))
		default:
			out = append(out, ruleDockerHealth.at(name, line, "the image has no HEALTHCHECK, and no compose file defines a healthcheck: for a service running it"))
		}
	}
	return out, nil
}
