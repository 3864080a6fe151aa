package githubfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// App is a GitHub App installed on the fake repository, for
// actions/create-github-app-token: GET /repos/{o}/{r}/installation and
// POST /app/installations/{id}/access_tokens with a JWT whose iss is the
// app's client ID. The JWT's signature is not checked: the fake tests what
// callers do with the answer, not RS256.
type App struct {
	ClientID       string
	InstallationID int64             // default 4242
	Permissions    map[string]string // granted to the installation, e.g. contents: write, workflows: write
}

const appDoc = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"

// isAppRoute: the app endpoints authenticate with the app's JWT, not a token.
func isAppRoute(c *reqCtx) bool {
	return strings.HasPrefix(c.path, "/app/") || strings.HasSuffix(strings.TrimRight(c.path, "/"), "/installation")
}

// routeApp serves the app endpoints; false when the path is not one.
func (s *Server) routeApp(c *reqCtx) bool {
	if !isAppRoute(c) {
		return false
	}
	app := s.opts.App
	if app == nil {
		c.notFound()
		return true
	}
	if !s.validJWT(c.r) {
		c.fail(http.StatusUnauthorized, "A JSON web token could not be decoded", appDoc)
		return true
	}
	id := app.InstallationID
	if id == 0 {
		id = 4242
	}
	seg := strings.Split(strings.Trim(c.path, "/"), "/")
	switch {
	case c.r.Method == http.MethodGet && len(seg) == 4 && seg[0] == "repos" && seg[1] == s.opts.Owner && seg[2] == s.opts.Repo:
		c.json(http.StatusOK, &github.Installation{ID: ptr(id), AppSlug: ptr("release-app"),
			Account: &github.User{Login: ptr(s.opts.Owner)}, Permissions: nil})
	case c.r.Method == http.MethodPost && len(seg) == 4 && seg[1] == "installations" && seg[2] == strconv.FormatInt(id, 10) && seg[3] == "access_tokens":
		var in struct {
			Repositories []string          `json:"repositories"`
			Permissions  map[string]string `json:"permissions"`
		}
		if c.r.ContentLength != 0 && !c.decode(&in) {
			return true
		}
		granted := in.Permissions
		if len(granted) == 0 {
			granted = app.Permissions
		}
		for scope, level := range granted {
			if rank(app.Permissions[scope]) < rank(level) {
				c.fail(http.StatusUnprocessableEntity, "The permissions requested are not granted to this installation.", appDoc)
				return true
			}
		}
		tok := "ghs_" + randomHex(18)
		if s.minted == nil {
			s.minted = map[string]map[string]string{}
		}
		s.minted[tok] = granted
		c.json(http.StatusCreated, map[string]any{
			"token": tok, "expires_at": s.opts.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			"permissions": granted, "repository_selection": "selected",
		})
	default:
		c.notFound()
	}
	return true
}

// rank orders permission levels: none < read < write < admin.
func rank(level string) int {
	return map[string]int{"read": 1, "write": 2, "admin": 3}[level]
}

// validJWT checks the shape of the app's JWT and that its issuer is the
// app's client ID (or its numeric app ID written as the client ID).
func (s *Server) validJWT(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		Iss any `json:"iss"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	var iss string
	switch v := claims.Iss.(type) {
	case string:
		iss = v
	case float64:
		iss = strconv.FormatInt(int64(v), 10)
	}
	return iss != "" && iss == s.opts.App.ClientID
}

// installationToken reports whether tok is an installation token the fake
// minted, and whether it holds workflows: write.
func (s *Server) installationToken(tok string) (minted, workflows bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	perms, ok := s.minted[tok]
	return ok, perms["workflows"] == "write"
}

// mintedToken reports whether tok is an installation token the fake minted.
func (s *Server) mintedToken(tok string) bool {
	_, ok := s.minted[tok]
	return ok
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
