package vulnscan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// SARIFOptions says where findings point in the repository.
type SARIFOptions struct {
	ToolVersion string
	// Location is the repository file results are reported on (code
	// scanning needs one), e.g. the Dockerfile the image is built from.
	Location string
	// Category tells apart several uploads of one commit (one per image).
	Category string
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool        `json:"tool"`
	AutomationDetails *sarifAutomation `json:"automationDetails,omitempty"`
	Results           []sarifResult    `json:"results"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Help             sarifText      `json:"help"`
	Properties       map[string]any `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
}

func sarifLevel(l int) string {
	switch {
	case l >= LevelHigh:
		return "error"
	case l == LevelMedium:
		return "warning"
	}
	return "note"
}

// SARIF writes findings as a SARIF 2.1.0 log for code scanning: one rule
// per vulnerability (with security-severity, which code scanning ranks
// by), one result per affected package; ignored findings carry an
// external suppression with the ignore file's reason.
func SARIF(findings []Finding, o SARIFOptions) ([]byte, error) {
	if o.Location == "" {
		o.Location = "Dockerfile"
	}
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "timetracker-ci scan", Version: o.ToolVersion,
		InformationURI: "https://github.com/org/timetracker-ci/blob/main/docs/supply-chain.md", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	if o.Category != "" {
		run.AutomationDetails = &sarifAutomation{ID: o.Category + "/"}
	}
	rules := map[string]bool{}
	for _, f := range findings {
		if !rules[f.ID] {
			rules[f.ID] = true
			sev := f.Score
			if sev == 0 {
				sev = map[int]float64{LevelLow: 2.0, LevelMedium: 5.0, LevelHigh: 7.5, LevelCritical: 9.5}[f.Level]
			}
			desc := f.Summary
			if desc == "" {
				desc = f.ID
			}
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID: f.ID, ShortDescription: sarifText{desc}, FullDescription: sarifText{desc}, HelpURI: f.URL,
				Help:       sarifText{fmt.Sprintf("%s (%s). Aliases: %s. %s", desc, f.Severity, strings.Join(f.Aliases, ", "), f.URL)},
				Properties: map[string]any{"security-severity": fmt.Sprintf("%.1f", sev), "tags": []string{"security", "vulnerability", f.Package.Ecosystem}},
			})
		}
		msg := fmt.Sprintf("%s %s %s is affected by %s (%s)", f.Package.Ecosystem, f.Package.Name, f.Package.Version, f.ID, f.Severity)
		if f.Package.Binary != "" {
			msg = fmt.Sprintf("%s %s %s (source %s) is affected by %s (%s)", f.Package.Ecosystem, f.Package.Binary, f.Package.Version, f.Package.Name, f.ID, f.Severity)
		}
		if f.Fixed != "" {
			msg += "; fixed in " + f.Fixed
		}
		if f.Package.Location != "" {
			msg += "; found in " + f.Package.Location
		}
		res := sarifResult{RuleID: f.ID, Level: sarifLevel(f.Level), Message: sarifText{msg},
			PartialFingerprints: map[string]string{"vulnerability/package": f.ID + "|" + f.Package.PURL}}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = o.Location
		loc.PhysicalLocation.Region.StartLine = 1
		res.Locations = []sarifLocation{loc}
		if f.Ignored != nil {
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.Ignored.Reason + " (until " + f.Ignored.Expires + ")"}}
		}
		run.Results = append(run.Results, res)
	}
	sort.SliceStable(run.Tool.Driver.Rules, func(i, j int) bool { return run.Tool.Driver.Rules[i].ID < run.Tool.Driver.Rules[j].ID })
	return json.MarshalIndent(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
}
