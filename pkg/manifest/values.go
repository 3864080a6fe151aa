package manifest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Values are the settings the templates read, from the values input:
// key=value lines, blank lines and lines starting with # ignored.
//
// Known keys (defaults in brackets):
//
//	app              name of the service, Deployment, labels [timetracker]
//	port             port the app listens on [8080]
//	replicas         Kubernetes replicas [2]
//	health-path      liveness and compose health check path [/_health]
//	ready-path       readiness path [/_ready]
//	environment      environment name of production files (FLASK_ENV) [production]
//	dev-environment  environment name of development files [development]
//	secret-name      Kubernetes Secret holding database-url and secret-key [timetracker-secrets]
//	namespace        Kubernetes namespace; none written when empty []
//	postgres-image   PostgreSQL image of the compose files [postgres:16-alpine]
//	cpu-request      [100m]   memory-request [256Mi]   memory-limit [512Mi]
//	timezone         TZ of the app: the Kubernetes ConfigMap's, the compose files' default [UTC]
//	currency         CURRENCY, an ISO 4217 code, likewise [EUR]
//	log-level        LOG_LEVEL of production files (development files log DEBUG) [INFO]
//
// With the built-in templates an unknown key is an error (a typo would be
// silently ignored otherwise); with user templates any key is allowed and
// readable as {{index .Values.All "key"}}.
type Values struct {
	App            string
	Port           int
	Replicas       int
	HealthPath     string
	ReadyPath      string
	Environment    string
	DevEnvironment string
	SecretName     string
	Namespace      string
	PostgresImage  string
	CPURequest     string
	MemoryRequest  string
	MemoryLimit    string
	TimeZone       string
	Currency       string
	LogLevel       string
	// All holds every key, defaults included, as text.
	All map[string]string
}

var defaultValues = map[string]string{
	"app":             "timetracker",
	"port":            "8080",
	"replicas":        "2",
	"health-path":     "/_health",
	"ready-path":      "/_ready",
	"environment":     "production",
	"dev-environment": "development",
	"secret-name":     "timetracker-secrets",
	"namespace":       "",
	"postgres-image":  "postgres:16-alpine",
	"cpu-request":     "100m",
	"memory-request":  "256Mi",
	"memory-limit":    "512Mi",
	"timezone":        "UTC",
	"currency":        "EUR",
	"log-level":       "INFO",
}

// KnownValues lists the keys the built-in templates read, sorted.
func KnownValues() []string {
	keys := make([]string, 0, len(defaultValues))
	for k := range defaultValues {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ValuesError is a problem in the values text, located by line.
type ValuesError struct {
	Line int // 1-based; 0 when the problem is not on one line
	Key  string
	Msg  string
}

func (e *ValuesError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("values line %d: %s", e.Line, e.Msg)
	}
	return "values: " + e.Msg
}

var (
	keyRE      = lazyRegexp(`^[a-z0-9][a-z0-9._-]*$`)
	dnsLabelRE = lazyRegexp(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	envNameRE  = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	quantityRE = lazyRegexp(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)
	pathRE     = lazyRegexp(`^/[A-Za-z0-9._~/%-]*$`)
	timezoneRE = lazyRegexp(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`)
	currencyRE = lazyRegexp(`^[A-Z]{3}$`)
)

// ParseValues reads key=value lines over the defaults. strict rejects keys
// the built-in templates do not know.
func ParseValues(text string, strict bool) (Values, error) {
	all := make(map[string]string, len(defaultValues))
	for k, v := range defaultValues {
		all[k] = v
	}
	seen := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return Values{}, errorf("%q is not key=value (write e.g. port=8080)", n, "", clip(line))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !keyRE().MatchString(k) {
			return Values{}, errorf("key %q must be lowercase letters, digits, '.', '_' or '-'", n, k, clip(k))
		}
		if prev, dup := seen[k]; dup {
			return Values{}, errorf("key %q is set twice (first on line %d)", n, k, k, prev)
		}
		seen[k] = n
		if _, known := defaultValues[k]; !known && strict {
			return Values{}, errorf("unknown key %q for the built-in templates; known keys: %s", n, k, k, strings.Join(KnownValues(), ", "))
		}
		all[k] = v
	}
	vals, err := valuesFrom(all)
	if err != nil {
		if ve, ok := err.(*ValuesError); ok {
			ve.Line = seen[ve.Key]
		}
		return Values{}, err
	}
	return vals, nil
}

// errorf is a ValuesError at line (0 when not known yet) about key.
func errorf(format string, line int, key string, args ...any) *ValuesError {
	return &ValuesError{Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func valuesFrom(all map[string]string) (Values, error) {
	v := Values{
		App: all["app"], HealthPath: all["health-path"], ReadyPath: all["ready-path"],
		Environment: all["environment"], DevEnvironment: all["dev-environment"],
		SecretName: all["secret-name"], Namespace: all["namespace"], PostgresImage: all["postgres-image"],
		CPURequest: all["cpu-request"], MemoryRequest: all["memory-request"], MemoryLimit: all["memory-limit"],
		TimeZone: all["timezone"], Currency: all["currency"], LogLevel: all["log-level"],
		All: all,
	}
	var err error
	if v.Port, err = strconv.Atoi(all["port"]); err != nil || v.Port < 1 || v.Port > 65535 {
		return Values{}, errorf("port=%q: want a port number from 1 to 65535", 0, "port", clip(all["port"]))
	}
	if v.Replicas, err = strconv.Atoi(all["replicas"]); err != nil || v.Replicas < 0 || v.Replicas > 1000 {
		return Values{}, errorf("replicas=%q: want a number from 0 to 1000", 0, "replicas", clip(all["replicas"]))
	}
	// Starting with a letter keeps names valid for a Service (DNS-1035) and
	// never read as numbers or booleans by a YAML parser.
	for _, k := range []string{"app", "secret-name"} {
		if len(all[k]) > 63 || !dnsLabelRE().MatchString(all[k]) {
			return Values{}, errorf("%s=%q: want a name of lowercase letters, digits and '-', starting with a letter, at most 63 characters", 0, k, k, clip(all[k]))
		}
		// The app name is also a compose service key, which YAML 1.1 readers
		// (docker-compose v1) would take for a boolean or null.
		switch all[k] {
		case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
			return Values{}, errorf("%s=%q: YAML reads this name as a boolean or null: choose another", 0, k, k, all[k])
		}
	}
	if all["namespace"] != "" && (len(all["namespace"]) > 63 || !dnsLabelRE().MatchString(all["namespace"])) {
		return Values{}, errorf("namespace=%q: want a name of lowercase letters, digits and '-', starting with a letter, at most 63 characters, or nothing", 0, "namespace", clip(all["namespace"]))
	}
	for _, k := range []string{"health-path", "ready-path"} {
		if !pathRE().MatchString(all[k]) {
			return Values{}, errorf("%s=%q: want an absolute URL path such as /_health", 0, k, k, clip(all[k]))
		}
	}
	for _, k := range []string{"environment", "dev-environment"} {
		if !envNameRE().MatchString(all[k]) {
			return Values{}, errorf("%s=%q: want a name of letters, digits, '.', '_' or '-'", 0, k, k, clip(all[k]))
		}
	}
	for _, k := range []string{"cpu-request", "memory-request", "memory-limit"} {
		if !quantityRE().MatchString(all[k]) {
			return Values{}, errorf("%s=%q: want a Kubernetes quantity such as 100m, 256Mi or 1Gi", 0, k, k, clip(all[k]))
		}
	}
	if !timezoneRE().MatchString(all["timezone"]) || strings.Contains(all["timezone"], "..") {
		return Values{}, errorf("timezone=%q: want an IANA time zone such as UTC or Europe/Brussels", 0, "timezone", clip(all["timezone"]))
	}
	if !currencyRE().MatchString(all["currency"]) {
		return Values{}, errorf("currency=%q: want an ISO 4217 code of three capital letters such as EUR", 0, "currency", clip(all["currency"]))
	}
	switch all["log-level"] {
	case "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL":
	default:
		return Values{}, errorf("log-level=%q: want DEBUG, INFO, WARNING, ERROR or CRITICAL", 0, "log-level", clip(all["log-level"]))
	}
	if _, _, _, err := ParseImageRef(all["postgres-image"]); err != nil {
		return Values{}, errorf("postgres-image=%q: want an image reference with a tag or digest, such as postgres:16-alpine", 0, "postgres-image", clip(all["postgres-image"]))
	}
	return v, nil
}
