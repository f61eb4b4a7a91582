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

// Every scanner's fixture describes the same findings and comes out the
// same.
func TestParseFixtures(t *testing.T) {
	for _, tt := range []struct{ file, format string }{
		{"trufflehog.jsonl", FormatTruffleHog},
		{"gitleaks.json", FormatGitleaks},
		{"betterleaks.json", FormatBetterleaks},
		{"ggshield.json", FormatGGShield},
		{"noseyparker.json", FormatNoseyParker},
		{"kingfisher.json", FormatKingfisher},
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
		`{"DetectorName":"buildkite","Raw":"bkua_CIDEPLOY00000000000000000000000000000000"}`, // the detector says so: kept
		`{"DetectorName":"Buildkite","Raw":"bkct_cideploy00000000000000000000000000000000"}`, // a cluster token
		`{"DetectorName":"Github","Raw":"bkua_hackathon0000000000000000000000000000000"}`,    // another detector
		`{"DetectorName":"Buildkite","Raw":"bkua_cideploy00000000000000000000000000000000"}`, // the same place again
	}, "\n")
	got, err := Parse([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Secrets) != 2 || got.Ignored != 2 || len(got.Secrets[0].Locations) != 1 {
		t.Errorf("%d secrets, %d ignored, locations %v", len(got.Secrets), got.Ignored, got.Secrets[0].Locations)
	}
	if got, err := Parse([]byte("[]")); err != nil || len(got.Secrets) != 0 || got.Format != FormatGitleaks {
		t.Errorf("an empty gitleaks report: %+v, %v", got, err)
	}
}

// The detector's word is trusted: TruffleHog's older Buildkite detector
// reports 40 characters without a prefix, Buildkite's documentation shows
// a longer bkua_ value, and scanners disagree on case.
func TestBuildkiteDetectorsValuesAreKept(t *testing.T) {
	bare := "0123456789abcdef0123456789abcdef01234567"
	long := "bkua_" + strings.Repeat("Ab1", 16)
	for _, tt := range []struct {
		name, input string
		want        []string
	}{
		{"TruffleHog v1, without prefix", `{"DetectorName":"Buildkite","DetectorDescription":"Buildkite v1","Raw":"` + bare + `"}`, []string{bare}},
		{"TruffleHog, a longer value", `{"DetectorName":"Buildkite","Raw":"` + long + `"}`, []string{long}},
		{"gitleaks, generic rule, longer value", `[{"RuleID":"generic-api-key","Secret":"` + long + `"}]`, []string{long}},
		{"gitleaks, generic rule, no prefix", `[{"RuleID":"generic-api-key","Secret":"` + bare + `"}]`, nil},
		{"gitleaks, Buildkite rule, no prefix", `[{"RuleID":"buildkite-api-token","Secret":"` + bare + `"}]`, []string{bare}},
		{"ggshield, agent token", `{"id":"p","type":"path_scan","total_incidents":1,"entities_with_incidents":[{"filename":"a","incidents":[{"type":"Buildkite Agent Token","occurrences":[{"match":"` + bare + `","line_start":1}]}]}]}`, nil},
		{"TruffleHog, agent token value", `{"DetectorName":"Buildkite","Raw":"bkaa_` + bare + `"}`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			var values []string
			for _, s := range got.Secrets {
				values = append(values, s.Value.Reveal())
			}
			if fmt.Sprint(values) != fmt.Sprint(tt.want) || got.Ignored != 1-len(tt.want) {
				t.Errorf("kept %d value(s), ignored %d; want %d", len(values), got.Ignored, len(tt.want))
			}
		})
	}
}

// A value that merely ends in an ellipsis, and could not be a masked
// Buildkite token, is a finding like any other.
func TestEllipsisIsNotRedaction(t *testing.T) {
	got, err := Parse([]byte(`[{"RuleID":"generic-api-key","Secret":"changeme-later...","File":"a","StartLine":1},{"RuleID":"generic-api-key","Secret":"REDACTED_PLACEHOLDER","File":"b"}]`))
	if err != nil || got.Ignored != 2 {
		t.Errorf("%+v, %v", got, err)
	}
}

// A clean TruffleHog run prints nothing: no findings, not an error.
func TestEmptyInputIsNoFindings(t *testing.T) {
	for _, input := range []string{"", " \n", "\ufeff"} {
		got, err := Parse([]byte(input))
		if err != nil || got.Format != FormatNone || got.Secrets == nil || len(got.Secrets) != 0 || got.Ignored != 0 {
			t.Errorf("%q: %+v, %v", input, got, err)
		}
	}
}

// A report whose values were masked is refused, whatever else it holds:
// tokenctl cannot find a token without its value.
func TestRedactedReportsAreRefused(t *testing.T) {
	for _, tt := range []struct{ name, input, want string }{
		{"gitleaks --redact", `[{"RuleID":"generic-api-key","Secret":"REDACTED","Match":"TOKEN=REDACTED","File":"a","StartLine":1}]`, "gitleaks --redact"},
		{"gitleaks --redact=60", `[{"RuleID":"github-pat","Secret":"ghp_x","File":"a"},{"RuleID":"generic-api-key","Secret":"bkua_cidep...","File":"a","StartLine":1}]`, "gitleaks --redact"},
		{"gitleaks --redact=95", `[{"RuleID":"generic-api-key","Secret":"bk...","File":"a","StartLine":1}]`, "gitleaks --redact"},
		{"betterleaks --redact", `[{"RuleID":"buildkite-api-token","Secret":"REDACTED","ValidationStatus":""}]`, "betterleaks --redact"},
		{"ggshield without --show-secrets", `{"id":"p","type":"path_scan","total_incidents":1,"entities_with_incidents":[{"filename":"a","incidents":[{"type":"Buildkite API Token V2","occurrences":[{"match":"bkua_c***********************************0000","line_start":1}]}]}]}`, "--show-secrets"},
		{"kingfisher --redact", `{"findings":[{"rule":{"name":"Buildkite API Key","id":"kingfisher.buildkite.1"},"finding":{"snippet":"[REDACTED:1f2e3d4c]","path":"a","line":1}}]}`, "kingfisher --redact"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), "redacted") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v", err)
			}
			rejection.Check(t, tt.input, err)
		})
	}
}

// The other shapes the scanners write: Kingfisher's older array and its
// JSON lines, Nosey Parker's JSON lines and older plain groups, a ggshield
// scan of files.
func TestOtherShapes(t *testing.T) {
	kfRecord := `{"rule":{"name":"Buildkite API Key","id":"kingfisher.buildkite.1"},"finding":{"snippet":"` + ciDeployValue + `","path":"ci/deploy.log","line":12}}`
	npLine := `{"rule_name":"Generic API Key","rule_text_id":"np.generic.5","groups":["` + ciDeployValue + `"],"matches":[{"provenance":[{"kind":"file","path":"ci/deploy.log"}],"location":{"source_span":{"start":{"line":12,"column":1}}},"snippet":{"matching":"` + ciDeployValue + `"}}]}`
	for _, tt := range []struct{ name, input, format string }{
		{"kingfisher array", "[" + kfRecord + "]", FormatKingfisher},
		{"kingfisher jsonl", kfRecord + "\n" + `{"audit":{"summary":{"discovered":1}}}` + "\n", FormatKingfisher},
		{"noseyparker jsonl, plain groups", npLine + "\n", FormatNoseyParker},
		{"ggshield path scan", `{"id":"/src","type":"path_scan","total_incidents":1,"total_occurrences":1,"entities_with_incidents":[{"mode":"FILE","filename":"ci/deploy.log","incidents":[{"policy":"Secrets detection","type":"Buildkite API Token V2","occurrences":[{"match":"` + ciDeployValue + `","type":"apikey","line_start":12,"line_end":12,"index_start":0,"index_end":45}]}]}]}`, FormatGGShield},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			want := []Location{{File: "ci/deploy.log", Line: 12}}
			if got.Format != tt.format || len(got.Secrets) != 1 || got.Secrets[0].Value.Reveal() != ciDeployValue || fmt.Sprint(got.Secrets[0].Locations) != fmt.Sprint(want) {
				t.Errorf("format %s, %d secrets, locations %v", got.Format, len(got.Secrets), got.Secrets)
			}
		})
	}
	if _, err := Parse([]byte(`{"findings":[]}` + "\n" + `{"DetectorName":"Buildkite","Raw":"x"}`)); err == nil || !strings.Contains(err.Error(), "one scanner's output at a time") {
		t.Errorf("mixed formats: %v", err)
	}
}

// FuzzParse: whatever the input, Parse does not panic, refuses in one line
// without echoing a secret, and keeps only values shaped like Buildkite user
// tokens (with or without the prefix), each once,
// each with a fingerprint of its own value.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"trufflehog.jsonl", "gitleaks.json", "betterleaks.json", "ggshield.json", "noseyparker.json", "kingfisher.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "[]", "{}", "[null]", `[{"RuleID":null,"Secret":"x"}]`, "\ufeff[]", "{\"DetectorName\":\"Buildkite\",\"Raw\":\"bkua_" + strings.Repeat("a", 40) + "\"}\n\n{",
		`{"findings":[{"rule":{},"finding":{"snippet":"[REDACTED:0]"}}]}`, `{"scans":[{"type":"commit","id":"c","entities_with_incidents":[{"incidents":[{"type":"Buildkite","occurrences":[{}]}]}]}]}`,
		`[{"rule_name":"r","matches":[{"groups":["YWJj"],"provenance":{"kind":"file","path":"p"}}]}]`, `{"audit":{}}` + "\n" + `{"rule_name":"r","matches":[]}`} {
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
			if !(userToken.MatchString(v) || bareToken.MatchString(v)) || seen[v] || s.Fingerprint != Fingerprint(v) || len(s.Locations) == 0 {
				t.Fatalf("secret %s: bad entry %+v", s.Fingerprint, s.Locations)
			}
			seen[v] = true
		}
	})
}
