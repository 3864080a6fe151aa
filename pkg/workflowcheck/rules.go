package workflowcheck

import "strings"

// The rules for what a workflow meets on its first run on github.com, each
// in its own file. Each is a message format documented in
// docs/troubleshooting.md (TestRuleMessagesDocumented).
const (
	RuleSecretOutputs   = "secret-outputs"
	RuleArtifactRerun   = "artifact-rerun"
	RulePipCache        = "pip-cache"
	RuleLargeWith       = "large-with"
	RulePlatformArg     = "platform-arg"
	RuleWorkflowPush    = "workflow-push"
	RuleDeprecatedMajor = "deprecated-major"
	RuleArtifactHidden  = "artifact-hidden"
)

// jobRules run on every job after the contract checks.
var jobRules = []func(*checker, *Job){
	(*checker).checkSecretOutputs,
	(*checker).checkArtifactRerun,
	(*checker).checkPipCache,
	(*checker).checkLargeWith,
	(*checker).checkWorkflowPush,
	(*checker).checkDeprecatedMajor,
	(*checker).checkArtifactHidden,
}

// RuleMessages are the message formats of the rules above, for the
// troubleshooting guide's test.
var RuleMessages = map[string]string{
	RuleSecretOutputs:   secretOutputsMsg,
	RuleArtifactRerun:   artifactRerunMsg,
	RulePipCache:        pipCacheMsg,
	RuleLargeWith:       largeWithMsg,
	RulePlatformArg:     platformArgMsg,
	RuleWorkflowPush:    workflowPushMsg,
	RuleDeprecatedMajor: deprecatedMajorMsg,
	RuleArtifactHidden:  artifactHiddenMsg,
}

// usesAction reports whether a step's uses: names owner/repo[/path] at any ref.
func usesAction(s *Step, name string) bool {
	if s.Uses == nil {
		return false
	}
	at := len(s.Uses.Value)
	if i := strings.LastIndexByte(s.Uses.Value, '@'); i >= 0 {
		at = i
	}
	return strings.EqualFold(s.Uses.Value[:at], name)
}
