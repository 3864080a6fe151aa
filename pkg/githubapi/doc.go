// Package githubapi builds go-github clients that behave well against
// GitHub.com and GitHub Enterprise Server: the uploads base derived from the
// API base, and a transport that retries what GitHub asks clients to retry
// (5xx, connection resets, primary and secondary rate limits on both 403 and
// 429, and 404s caused by replication lag right after the client's own
// creates), within a total time budget, with request bodies replayed from
// their source on every attempt.
//
// go-github v60 does none of this on its own: it reports a 429 as a plain
// error and refuses requests until a known reset, so callers that must finish
// (a release that half-uploaded is worse than a slow one) need this layer.
package githubapi
