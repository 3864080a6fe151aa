// Package deploy records deployments on GitHub: a deployment of a commit to
// an environment, carrying the digest-pinned files it deploys, with its
// statuses (in progress, then success, failure or error), and the
// deployment it replaces marked inactive.
//
// GitHub makes earlier deployments inactive by itself only for
// environments that are neither production nor transient (auto_inactive),
// so a successful production deployment marks the one it replaced itself.
// Jobs that record their own deployments set `environment: {name: …,
// deployment: false}` so GitHub Actions does not record a second one.
package deploy
