package sbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Described reads an SPDX 2.3 or CycloneDX 1.5 JSON document written by
// this package (or any that names the image the same way) and returns the
// digest of the image it describes and its number of packages.
func Described(data []byte) (digest string, packages int, err error) {
	var doc struct {
		SPDXVersion       string   `json:"spdxVersion"`
		DocumentDescribes []string `json:"documentDescribes"`
		Packages          []struct {
			SPDXID    string `json:"SPDXID"`
			Version   string `json:"versionInfo"`
			Checksums []struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"checksumValue"`
			} `json:"checksums"`
		} `json:"packages"`
		BOMFormat string `json:"bomFormat"`
		Metadata  struct {
			Component struct {
				Version string `json:"version"`
				Hashes  []struct {
					Alg     string `json:"alg"`
					Content string `json:"content"`
				} `json:"hashes"`
			} `json:"component"`
		} `json:"metadata"`
		Components []json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", 0, fmt.Errorf("the SBOM is not JSON: %w", err)
	}
	switch {
	case strings.HasPrefix(doc.SPDXVersion, "SPDX-"):
		if len(doc.DocumentDescribes) != 1 {
			return "", 0, errors.New("the SPDX document does not describe exactly one element")
		}
		for _, p := range doc.Packages {
			if p.SPDXID != doc.DocumentDescribes[0] {
				continue
			}
			for _, c := range p.Checksums {
				if c.Algorithm == "SHA256" && c.Value != "" {
					return "sha256:" + c.Value, len(doc.Packages) - 1, nil
				}
			}
			if strings.HasPrefix(p.Version, "sha256:") {
				return p.Version, len(doc.Packages) - 1, nil
			}
		}
		return "", 0, errors.New("the SPDX document does not give the digest of the image it describes")
	case doc.BOMFormat == "CycloneDX":
		for _, h := range doc.Metadata.Component.Hashes {
			if h.Alg == "SHA-256" && h.Content != "" {
				return "sha256:" + h.Content, len(doc.Components), nil
			}
		}
		if strings.HasPrefix(doc.Metadata.Component.Version, "sha256:") {
			return doc.Metadata.Component.Version, len(doc.Components), nil
		}
		return "", 0, errors.New("the CycloneDX BOM does not give the digest of the image it describes")
	}
	return "", 0, errors.New("neither an SPDX document (spdxVersion) nor a CycloneDX BOM (bomFormat)")
}
