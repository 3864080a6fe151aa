package action

import (
	"github.com/google/go-github/v60/github"

	"github.com/org/timetracker-ci/pkg/githubapi"
)

// GitHubClient is a REST client for the repository the run belongs to.
type GitHubClient struct {
	*github.Client
	// Transport counts the requests and retries made.
	Transport *githubapi.Transport
	// Event is the run's context the client was made from.
	Event       *Event
	Owner, Repo string
}

// GitHubOptions tune GitHub's client beyond what every action shares.
type GitHubOptions struct {
	// UploadURL is the uploads base; derived from the API URL when empty.
	UploadURL string
	// Retry adds to the shared retry options (retries logged to the step's log).
	Retry []githubapi.TransportOption
}

// GitHub masks token and returns a client for the run's repository: the
// event's API URL, a user agent naming the action, retries logged to the
// step's log. Every action that calls GitHub starts here, so the token is
// masked before the first request and goes only to GitHub's hosts
// (githubapi scopes it). Outside GitHub Actions, GITHUB_REPOSITORY must be
// set by hand; an API URL that cannot be used is a usage error.
func (rt *Runtime) GitHub(token string, o GitHubOptions) (*GitHubClient, error) {
	rt.Mask(token)
	ev, err := rt.Event()
	if err != nil {
		return nil, err
	}
	if ev.Owner() == "" || ev.RepoName() == "" {
		return nil, UsageErrorf("GITHUB_REPOSITORY is not set: run under GitHub Actions, or set it to owner/name")
	}
	retry := append([]githubapi.TransportOption{githubapi.WithLogf(rt.Logf)}, o.Retry...)
	client, tr, err := githubapi.New(githubapi.Options{APIURL: ev.APIURL, UploadURL: o.UploadURL, Token: token,
		UserAgent: "timetracker-ci/" + rt.name, Retry: retry})
	if err != nil {
		if o.UploadURL != "" {
			return nil, InputErrorf("upload-url", "%w", err)
		}
		return nil, UsageErrorf("GITHUB_API_URL: %v", err)
	}
	return &GitHubClient{Client: client, Transport: tr, Event: ev, Owner: ev.Owner(), Repo: ev.RepoName()}, nil
}
