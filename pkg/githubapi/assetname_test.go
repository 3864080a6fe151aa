package githubapi

import "testing"

func TestAssetName(t *testing.T) {
	tests := map[string]string{
		"timetracker-1.2.3.tar.gz":     "timetracker-1.2.3.tar.gz",
		"SHA256SUMS":                   "SHA256SUMS",
		"My App 1.0.0 Setup.exe":       "My.App.1.0.0.Setup.exe",
		"pkg-1.1.0-1~buster_amd64.deb": "pkg-1.1.0-1.buster_amd64.deb",
		"app-(15-5)-release.apk":       "app-.15-5.-release.apk",
		"erick%%%%%!!!zhao.txt":        "erick.zhao.txt",
		".hidden":                      "hidden",
		"trailing.":                    "trailing",
		"a+b.zip":                      "a.b.zip",
		"fake.      file.txt":          "fake.file.txt",
	}
	for in, want := range tests {
		if got := AssetName(in); got != want {
			t.Errorf("AssetName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzAssetName(f *testing.F) {
	for _, s := range []string{"a b", "x.tar.gz", "..", "é", "a~b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AssetName(s)
		if AssetName(got) != got {
			t.Errorf("AssetName is not idempotent: %q → %q → %q", s, got, AssetName(got))
		}
	})
}
