package scan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/rejection"
)

const (
	ciDeployValue  = "bkua_cideploy00000000000000000000000000000000"
	hackathonValue = "bkua_hackathon0000000000000000000000000000000"
	deadValue      = "bkua_leaked0000000000000000000000000000000000"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Both scanners' fixtures describe the same findings and come out the same.
func TestParseFixtures(t *testing.T) {
	for _, tt := range []struct{ file, format string }{
		{"trufflehog.jsonl", FormatTruffleHog},
		{"gitleaks.json", FormatGitleaks},
	} {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != tt.format || got.Ignored != 1 || len(got.Secrets) != 3 {
				t.Fatalf("format %s, ignored %d, %d secrets", got.Format, got.Ignored, len(got.Secrets))
			}
			want := []struct {
				value     string
				locations []Location
			}{
				{ciDeployValue, []Location{
					{File: "ci/deploy.log", Line: 12, Commit: "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"},
					{File: ".env.ci", Line: 3, Commit: "9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a09"},
				}},
				{hackathonValue, []Location{{File: "scripts/hack.sh", Line: 7, Commit: "9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a09"}}},
				{deadValue, []Location{{File: "old/notes.md", Line: 40, Commit: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"}}},
			}
			for i, w := range want {
				s := got.Secrets[i]
				if s.Value.Reveal() != w.value || s.Fingerprint != Fingerprint(w.value) || len(s.Fingerprint) != FingerprintLength {
					t.Errorf("secret %d: fingerprint %s", i, s.Fingerprint)
				}
				if fmt.Sprint(s.Locations) != fmt.Sprint(w.locations) {
					t.Errorf("secret %d: locations %v, want %v", i, s.Locations, w.locations)
				}
			}
			doc, err := json.Marshal(got.Secrets)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(doc), "bkua_") || strings.Contains(fmt.Sprintf("%v %+v", got, got), "bkua_") {
				t.Errorf("a secret value is printable: %s", doc)
			}
		})
	}
}

func TestFingerprintIsStableAndShort(t *testing.T) {
	// SHA-256 of the CI deploy bot's value, first 12 hex characters.
	if got := Fingerprint(ciDeployValue); got != Fingerprint(ciDeployValue) || got == Fingerprint(hackathonValue) || len(got) != 12 {
		t.Errorf("fingerprint %q", got)
	}
}

func TestParseRefusals(t *testing.T) {
	for _, tt := range []struct{ name, input, want string }{
		{"empty", " \n", "is empty"},
		{"plain text", "bkua_cideploy00000000000000000000000000000000\n", "neither TruffleHog JSON lines"},
		{"gitleaks broken", `[{"RuleID":"x","Secret":"bkua_cideploy00000000000000000000000000000000"`, "not valid JSON"},
		{"array of something else", `[{"uuid":"x"}]`, "entry 1 of the array is not a gitleaks finding"},
		{"truffle line without detector", "{\"DetectorName\":\"Buildkite\",\"Raw\":\"x\"}\n{\"Raw\":\"bkua_cideploy00000000000000000000000000000000\"}\n", "line 2 is not a TruffleHog finding"},
		{"truffle broken line", "{\"DetectorName\":\"Buildkite\",\"Raw\":\"bkua_cideploy00000000000000000000000000000000\n", "line 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			rejection.Check(t, tt.input, err)
		})
	}
}

func TestOnlyBuildkiteUserTokensAreKept(t *testing.T) {
	input := strings.Join([]string{
		`{"DetectorName":"Buildkite","Raw":"bkua_cideploy00000000000000000000000000000000"}`,
		`{"DetectorName":"buildkite","Raw":"bkua_CIDEPLOY00000000000000000000000000000000"}`, // not the token pattern
		`{"DetectorName":"Buildkite","Raw":"bkct_cideploy00000000000000000000000000000000"}`, // a cluster token
		`{"DetectorName":"Github","Raw":"bkua_hackathon0000000000000000000000000000000"}`,    // another detector
		`{"DetectorName":"Buildkite","Raw":"bkua_cideploy00000000000000000000000000000000"}`, // the same place again
	}, "\n")
	got, err := Parse([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Secrets) != 1 || got.Ignored != 3 || len(got.Secrets[0].Locations) != 1 {
		t.Errorf("%d secrets, %d ignored, locations %v", len(got.Secrets), got.Ignored, got.Secrets[0].Locations)
	}
	if got, err := Parse([]byte("[]")); err != nil || len(got.Secrets) != 0 || got.Format != FormatGitleaks {
		t.Errorf("an empty gitleaks report: %+v, %v", got, err)
	}
}

// FuzzParse: whatever the input, Parse does not panic, refuses in one line
// without echoing a secret, and keeps only Buildkite user tokens, each once,
// each with a fingerprint of its own value.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"trufflehog.jsonl", "gitleaks.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "[]", "{}", "[null]", `[{"RuleID":null,"Secret":"x"}]`, "\ufeff[]", "{\"DetectorName\":\"Buildkite\",\"Raw\":\"bkua_" + strings.Repeat("a", 40) + "\"}\n\n{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		if err != nil {
			rejection.Check(t, string(data), err)
			return
		}
		seen := map[string]bool{}
		for _, s := range got.Secrets {
			v := s.Value.Reveal()
			if !buildkiteToken.MatchString(v) || seen[v] || s.Fingerprint != Fingerprint(v) || len(s.Locations) == 0 {
				t.Fatalf("secret %s: bad entry %+v", s.Fingerprint, s.Locations)
			}
			seen[v] = true
		}
	})
}
