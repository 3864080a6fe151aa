package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// The compose checks are ours rather than compose-go's loader: the loader
// links a JSON-schema compiler whose package init compiles every draft's
// meta-schema (several milliseconds at every start of every action, since
// all actions are one binary). compose_diff_test.go runs compose-go's loader
// beside this validator so the two keep agreeing on what they accept.

// composeTop are the top-level properties of the compose specification.
var composeTop = set("version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models")

// composeService are a service's properties in the compose specification.
var composeService = set(
	"annotations", "attach", "build", "blkio_config", "cap_add", "cap_drop", "cgroup", "cgroup_parent",
	"command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
	"cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on",
	"deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname",
	"entrypoint", "env_file", "environment", "expose", "extends", "external_links", "extra_hosts",
	"gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file",
	"labels", "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness",
	"memswap_limit", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid",
	"pids_limit", "platform", "ports", "post_start", "pre_stop", "privileged", "profiles", "provider",
	"pull_policy", "pull_refresh_after", "read_only", "restart", "runtime", "scale", "secrets",
	"security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt",
	"sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volumes",
	"volumes_from", "working_dir",
)

// composeDependsOn are the properties of a depends_on entry in long syntax.
var composeDependsOn = set("condition", "restart", "required")

// composeConditions are depends_on's conditions.
var composeConditions = set("service_started", "service_healthy", "service_completed_successfully")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// ValidateCompose checks a compose file as compose's loader would without
// reading .env or interpolating variables (${VAR} comes from .env at deploy
// time): the top-level and service properties the compose specification
// defines (extensions x-* aside), the types of the properties that name
// other things, and that every service, volume, network, secret and config
// a service refers to is declared in the file. Then every service using
// img's repository must pin img's digest.
func ValidateCompose(ctx context.Context, name string, data []byte, img Image) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var top map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for top == nil {
		if err := dec.Decode(&top); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("compose: %s: empty compose file", name)
			}
			return fmt.Errorf("compose: %s: %w", name, err)
		}
	}
	c := composeFile{top: top}
	if err := c.check(); err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	for _, n := range sortedKeys(c.services) {
		svc, _ := c.services[n].(map[string]any)
		ref, _ := svc["image"].(string)
		if err := checkImage(ref, img); err != nil {
			return fmt.Errorf("compose: service %s: %w", n, err)
		}
	}
	return nil
}

type composeFile struct {
	top      map[string]any
	services map[string]any
}

func (c *composeFile) check() error {
	for _, k := range sortedKeys(c.top) {
		if !composeTop[k] && !strings.HasPrefix(k, "x-") {
			return fmt.Errorf("additional property %s is not allowed at the top level", k)
		}
	}
	for _, k := range []string{"networks", "volumes", "secrets", "configs"} {
		if v, ok := c.top[k]; ok && v != nil {
			if _, ok := v.(map[string]any); !ok {
				return fmt.Errorf("%s must be a mapping", k)
			}
		}
	}
	svcs, ok := c.top["services"].(map[string]any)
	if !ok && c.top["services"] != nil {
		return fmt.Errorf("services must be a mapping")
	}
	c.services = svcs
	for _, n := range sortedKeys(svcs) {
		if err := c.checkService(n); err != nil {
			return fmt.Errorf("service %q %w", n, err)
		}
	}
	return nil
}

func (c *composeFile) declared(kind, name string) bool {
	m, _ := c.top[kind].(map[string]any)
	_, ok := m[name]
	return ok
}

func (c *composeFile) checkService(n string) error {
	raw := c.services[n]
	if raw == nil {
		return fmt.Errorf("is empty: it needs an image or a build")
	}
	svc, ok := raw.(map[string]any)
	if !ok {
		return fmt.Errorf("must be a mapping")
	}
	for _, k := range sortedKeys(svc) {
		if !composeService[k] && !strings.HasPrefix(k, "x-") {
			return fmt.Errorf("has additional property %s, which is not allowed", k)
		}
	}
	if v, ok := svc["image"]; ok {
		if _, ok := v.(string); !ok {
			return fmt.Errorf("image must be a string")
		}
	}
	if err := c.checkDependsOn(svc["depends_on"]); err != nil {
		return err
	}
	if err := c.checkVolumes(svc["volumes"]); err != nil {
		return err
	}
	for _, kind := range []string{"networks", "secrets", "configs"} {
		if err := c.checkRefs(kind, svc[kind]); err != nil {
			return err
		}
	}
	return nil
}

// checkDependsOn: a list of service names, or a mapping of service name to
// {condition, restart, required}.
func (c *composeFile) checkDependsOn(v any) error {
	var deps []string
	switch d := v.(type) {
	case nil:
		return nil
	case []any:
		for _, e := range d {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("depends_on entries must be service names")
			}
			deps = append(deps, s)
		}
	case map[string]any:
		for _, s := range sortedKeys(d) {
			if opts, ok := d[s].(map[string]any); ok {
				for _, k := range sortedKeys(opts) {
					if !composeDependsOn[k] {
						return fmt.Errorf("depends_on.%s has additional property %s, which is not allowed", s, k)
					}
				}
				if cond, ok := opts["condition"]; ok {
					if cs, _ := cond.(string); !composeConditions[cs] {
						return fmt.Errorf("depends_on.%s.condition must be one of service_started, service_healthy, service_completed_successfully", s)
					}
				}
			} else if d[s] != nil {
				return fmt.Errorf("depends_on.%s must be a mapping", s)
			}
			deps = append(deps, s)
		}
	default:
		return fmt.Errorf("depends_on must be a list or a mapping")
	}
	for _, s := range deps {
		if _, ok := c.services[s]; !ok {
			return fmt.Errorf("depends on undefined service %q", s)
		}
	}
	return nil
}

// checkVolumes: a named volume (short syntax "name:/path[:mode]" or long
// syntax with type volume) must be declared at the top level; bind mounts
// (paths) and anonymous volumes need not be.
func (c *composeFile) checkVolumes(v any) error {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("volumes must be a list")
	}
	for _, e := range list {
		var src string
		switch m := e.(type) {
		case string:
			parts := strings.Split(m, ":")
			if len(parts) < 2 {
				continue // anonymous volume: only a container path
			}
			src = parts[0]
		case map[string]any:
			if t, _ := m["type"].(string); t != "volume" {
				continue
			}
			src, _ = m["source"].(string)
		default:
			return fmt.Errorf("volumes entries must be strings or mappings")
		}
		if src == "" || strings.ContainsAny(src[:1], "./~$") || strings.Contains(src, "/") {
			continue // a bind mount or an interpolated source
		}
		if !c.declared("volumes", src) {
			return fmt.Errorf("refers to undefined volume %s: declare it under the top-level volumes", src)
		}
	}
	return nil
}

// checkRefs: networks, secrets and configs a service uses must be declared
// at the top level (the network named default always exists).
func (c *composeFile) checkRefs(kind string, v any) error {
	var names []string
	switch r := v.(type) {
	case nil:
		return nil
	case []any:
		for _, e := range r {
			switch x := e.(type) {
			case string:
				names = append(names, x)
			case map[string]any:
				s, _ := x["source"].(string)
				if s == "" {
					return fmt.Errorf("%s entries need a source", kind)
				}
				names = append(names, s)
			default:
				return fmt.Errorf("%s entries must be names or mappings", kind)
			}
		}
	case map[string]any:
		if kind != "networks" {
			return fmt.Errorf("%s must be a list", kind)
		}
		names = sortedKeys(r)
	default:
		return fmt.Errorf("%s must be a list", kind)
	}
	for _, s := range names {
		if kind == "networks" && s == "default" {
			continue
		}
		if !c.declared(kind, s) {
			return fmt.Errorf("refers to undefined %s %s: declare it under the top-level %s", strings.TrimSuffix(kind, "s"), s, kind)
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
