package scan

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// fields are the keys of one JSON object, to tell formats apart.
type fields map[string]json.RawMessage

func (f fields) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := f[k]; !ok {
			return false
		}
	}
	return true
}

// parseArray reads a JSON array report: gitleaks' and betterleaks'
// (entries with RuleID and Secret), Nosey Parker's (rule_name and
// matches) or Kingfisher's older one (rule and finding).
func parseArray(data []byte) (Findings, error) {
	var entries []json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return Findings{}, fmt.Errorf("starts like a JSON report (an array) but is not valid JSON: %s", jsonProblem(err))
	}
	if len(entries) == 0 {
		return Findings{Format: FormatGitleaks, Secrets: []Secret{}}, nil
	}
	var first fields
	_ = json.Unmarshal(entries[0], &first)
	switch {
	case first.has("rule_name", "matches"):
		c := newCollector(FormatNoseyParker, nil)
		for i, raw := range entries {
			if err := c.noseyParker(raw); err != nil {
				return Findings{}, fmt.Errorf("entry %d of the array %w", i+1, err)
			}
		}
		return c.f, nil
	case first.has("rule", "finding"):
		c := newCollector(FormatKingfisher, kingfisherRedacted)
		for i, raw := range entries {
			if err := c.kingfisher(raw); err != nil {
				return Findings{}, fmt.Errorf("entry %d of the array %w", i+1, err)
			}
		}
		return c.f, nil
	}
	return parseGitleaks(entries)
}

// gitleaksFinding is the part of a gitleaks (or betterleaks) report entry
// tokenctl reads.
type gitleaksFinding struct {
	RuleID    *string `json:"RuleID"`
	Secret    *string `json:"Secret"`
	File      string  `json:"File"`
	StartLine int     `json:"StartLine"`
	Commit    string  `json:"Commit"`
	// ValidationStatus is betterleaks' addition to gitleaks' fields.
	ValidationStatus *string `json:"ValidationStatus"`
}

// gitleaksRedacted is how gitleaks --redact masks a value: REDACTED, or
// with --redact=N, the value's start followed by an ellipsis. A value
// ending in an ellipsis is taken for a masked Buildkite token when what is
// left could begin one, or its rule says Buildkite; otherwise it is a
// value like any other (and not a Buildkite token).
func gitleaksRedacted(v, detector string) bool {
	if v == "REDACTED" {
		return true
	}
	head, masked := strings.CutSuffix(v, "...")
	return masked && (IsBuildkiteDetector(detector) || strings.HasPrefix(head, "bkua_") || strings.HasPrefix("bkua_", head))
}

func parseGitleaks(entries []json.RawMessage) (Findings, error) {
	list := make([]gitleaksFinding, len(entries))
	format := FormatGitleaks
	for i, raw := range entries {
		e := &list[i]
		if err := json.Unmarshal(raw, e); err != nil || e.Secret == nil || e.RuleID == nil {
			return Findings{}, fmt.Errorf("entry %d of the array is not a gitleaks finding (an object with RuleID and Secret), nor a Nosey Parker or Kingfisher finding", i+1)
		}
		if e.ValidationStatus != nil {
			format = FormatBetterleaks
		}
	}
	c := newCollector(format, gitleaksRedacted)
	for _, e := range list {
		if err := c.add(finding{detector: *e.RuleID, value: *e.Secret, loc: Location{File: e.File, Line: e.StartLine, Commit: e.Commit}}); err != nil {
			return Findings{}, err
		}
	}
	return c.f, nil
}

// parseObjects reads JSON objects one after another: TruffleHog's lines,
// a ggshield report (one object, usually indented), or Kingfisher's and
// Nosey Parker's JSON lines.
func parseObjects(data []byte) (Findings, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var first fields
	if err := dec.Decode(&first); err != nil || first.has("DetectorName") || first.has("Raw") {
		// TruffleHog's lines are read line by line, which also says
		// which line is broken.
		return parseTruffleHog(data)
	}
	var c *collector
	dec = json.NewDecoder(bytes.NewReader(data))
	for n := 1; ; n++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		at := func() string { return fmt.Sprintf("JSON value %d (line %d)", n, lineAt(data, dec.InputOffset())) }
		if err != nil {
			return Findings{}, fmt.Errorf("%s is not valid JSON: %s", at(), jsonProblem(err))
		}
		var obj fields
		if json.Unmarshal(raw, &obj) != nil {
			return Findings{}, fmt.Errorf("%s is not a JSON object; expected %s", at(), readableFormats)
		}
		format, read := objectFormat(obj)
		if format == "" {
			return Findings{}, fmt.Errorf("%s is neither %s", at(), readableFormats)
		}
		if c == nil {
			c = newCollector(format, redactedIn(format))
		} else if c.f.Format != format {
			return Findings{}, fmt.Errorf("%s is %s output, after %s output: give one scanner's output at a time", at(), format, c.f.Format)
		}
		if read == nil {
			continue // a Kingfisher summary line
		}
		if err := read(c, raw); err != nil {
			return Findings{}, fmt.Errorf("%s %w", at(), err)
		}
	}
	return c.f, nil
}

// objectFormat says which scanner wrote a JSON object and how to read it
// (nil: nothing to read in it).
func objectFormat(obj fields) (string, func(*collector, json.RawMessage) error) {
	switch {
	case obj.has("entities_with_incidents"), obj.has("scans"), obj.has("type", "id", "total_incidents"):
		return FormatGGShield, (*collector).ggshield
	case obj.has("findings"):
		return FormatKingfisher, (*collector).kingfisherEnvelope
	case obj.has("rule", "finding"):
		return FormatKingfisher, (*collector).kingfisher
	case obj.has("access_map"), obj.has("audit"):
		return FormatKingfisher, nil
	case obj.has("rule_name", "matches"):
		return FormatNoseyParker, (*collector).noseyParker
	case obj.has("DetectorName"):
		// Only ever after another scanner's output (TruffleHog's own
		// lines are read by parseTruffleHog): refused as a mixture.
		return FormatTruffleHog, nil
	}
	return "", nil
}

func redactedIn(format string) func(value, detector string) bool {
	switch format {
	case FormatGGShield:
		return ggshieldRedacted
	case FormatKingfisher:
		return kingfisherRedacted
	}
	return nil
}

// lineAt is the line of data at offset.
func lineAt(data []byte, offset int64) int {
	return bytes.Count(data[:min(int(offset), len(data))], []byte("\n")) + 1
}

// truffleHogFinding is the part of a TruffleHog --json line tokenctl reads.
// SourceMetadata.Data has one key per source type (Git, Github,
// Filesystem, ...), each with file, line and, in history, commit.
type truffleHogFinding struct {
	DetectorName   *string `json:"DetectorName"`
	Raw            *string `json:"Raw"`
	SourceMetadata struct {
		Data map[string]struct {
			File   string `json:"file"`
			Line   int    `json:"line"`
			Commit string `json:"commit"`
		} `json:"Data"`
	} `json:"SourceMetadata"`
}

// maxLine bounds one TruffleHog line.
const maxLine = 4 << 20

func parseTruffleHog(data []byte) (Findings, error) {
	c := newCollector(FormatTruffleHog, nil)
	// TruffleHog's detectors are specific: its Buildkite detector's
	// findings are Buildkite tokens, with or without a prefix, and no
	// other detector's are.
	c.detectorDecides = true
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e truffleHogFinding
		if err := json.Unmarshal(line, &e); err != nil || e.DetectorName == nil || e.Raw == nil {
			return Findings{}, fmt.Errorf("line %d is not a TruffleHog finding (a JSON object with DetectorName and Raw, as trufflehog --json writes)", n)
		}
		loc := Location{}
		// One source type per finding; sorted keys keep the choice stable.
		keys := make([]string, 0, len(e.SourceMetadata.Data))
		for k := range e.SourceMetadata.Data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(keys) > 0 {
			d := e.SourceMetadata.Data[keys[0]]
			loc = Location{File: d.File, Line: d.Line, Commit: d.Commit}
		}
		if err := c.add(finding{detector: *e.DetectorName, value: *e.Raw, loc: loc}); err != nil {
			return Findings{}, err
		}
	}
	if err := sc.Err(); err != nil {
		return Findings{}, fmt.Errorf("after line %d: %w", n, err)
	}
	return c.f, nil
}

// ggshieldReport is the part of ggshield's --json report tokenctl reads: a
// scan of files (entities_with_incidents) or of commits (scans, one per
// commit, each with its entities).
type ggshieldReport struct {
	ID       string           `json:"id"`
	Type     string           `json:"type"`
	Entities []ggshieldEntity `json:"entities_with_incidents"`
	Scans    []ggshieldReport `json:"scans"`
}

type ggshieldEntity struct {
	Filename  string `json:"filename"`
	Incidents []struct {
		Type        string `json:"type"` // the detector, e.g. "Buildkite API Token V2"
		Occurrences []struct {
			Match     *string `json:"match"`
			LineStart int     `json:"line_start"`
		} `json:"occurrences"`
	} `json:"incidents"`
}

// ggshieldRedacted is how ggshield hides a value unless --show-secrets:
// its middle replaced with asterisks.
func ggshieldRedacted(v, _ string) bool { return strings.Contains(v, "***") }

func (c *collector) ggshield(raw json.RawMessage) error {
	var r ggshieldReport
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("is not a ggshield report (--json): %s", jsonProblem(err))
	}
	return c.ggshieldScan(r, "")
}

func (c *collector) ggshieldScan(r ggshieldReport, commit string) error {
	if r.Type == "commit" {
		commit = r.ID
	}
	for _, e := range r.Entities {
		for _, inc := range e.Incidents {
			for _, o := range inc.Occurrences {
				if o.Match == nil {
					return errors.New("is a ggshield report with an occurrence without match")
				}
				if err := c.add(finding{detector: inc.Type, value: *o.Match, loc: Location{File: e.Filename, Line: o.LineStart, Commit: commit}}); err != nil {
					return err
				}
			}
		}
	}
	for _, s := range r.Scans {
		if err := c.ggshieldScan(s, commit); err != nil {
			return err
		}
	}
	return nil
}

// noseyParkerFinding is the part of a Nosey Parker report entry tokenctl
// reads. Groups (the captured values) are base64 in current versions;
// older ones wrote match_content.
type noseyParkerFinding struct {
	RuleName     string             `json:"rule_name"`
	RuleTextID   string             `json:"rule_text_id"`
	Groups       []string           `json:"groups"`
	MatchContent *string            `json:"match_content"`
	Matches      []noseyParkerMatch `json:"matches"`
}

type noseyParkerMatch struct {
	Groups       []string        `json:"groups"`
	MatchContent *string         `json:"match_content"`
	Provenance   json.RawMessage `json:"provenance"` // a list, or one object in old versions
	Location     struct {
		SourceSpan struct {
			Start struct {
				Line int `json:"line"`
			} `json:"start"`
		} `json:"source_span"`
	} `json:"location"`
	Snippet struct {
		Matching *string `json:"matching"`
	} `json:"snippet"`
}

type noseyParkerProvenance struct {
	Kind        string `json:"kind"`
	Path        string `json:"path"`
	FirstCommit *struct {
		CommitMetadata struct {
			CommitID string `json:"commit_id"`
		} `json:"commit_metadata"`
		BlobPath string `json:"blob_path"`
	} `json:"first_commit"`
}

func (c *collector) noseyParker(raw json.RawMessage) error {
	var f noseyParkerFinding
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("is not a Nosey Parker finding (report --format json): %s", jsonProblem(err))
	}
	detector := f.RuleName + " " + f.RuleTextID
	for _, m := range f.Matches {
		groups := m.Groups
		if len(groups) == 0 {
			groups = f.Groups
		}
		var candidates []string
		for _, g := range groups {
			candidates = append(candidates, npGroup(g))
		}
		for _, v := range []*string{m.MatchContent, f.MatchContent, m.Snippet.Matching} {
			if v != nil {
				candidates = append(candidates, *v)
			}
		}
		if len(candidates) == 0 {
			return errors.New("is a Nosey Parker match without groups, match_content or snippet")
		}
		value := candidates[0]
		for _, v := range candidates {
			if Kept(v, detector) {
				value = v
				break
			}
		}
		for _, loc := range npLocations(m) {
			if err := c.add(finding{detector: detector, value: value, loc: loc}); err != nil {
				return err
			}
		}
	}
	return nil
}

// npGroup is a Nosey Parker capture group's text: base64 in current
// versions, plain text in older ones.
func npGroup(g string) string {
	if b, err := base64.StdEncoding.DecodeString(g); err == nil && utf8.Valid(b) {
		return string(b)
	}
	return g
}

// npLocations is one location per place a match was seen.
func npLocations(m noseyParkerMatch) []Location {
	line := m.Location.SourceSpan.Start.Line
	var list []noseyParkerProvenance
	if json.Unmarshal(m.Provenance, &list) != nil {
		var one noseyParkerProvenance
		if json.Unmarshal(m.Provenance, &one) == nil {
			list = []noseyParkerProvenance{one}
		}
	}
	var locs []Location
	for _, p := range list {
		loc := Location{File: p.Path, Line: line}
		if p.FirstCommit != nil {
			loc.File, loc.Commit = p.FirstCommit.BlobPath, p.FirstCommit.CommitMetadata.CommitID
		}
		if !slices.Contains(locs, loc) {
			locs = append(locs, loc)
		}
	}
	if len(locs) == 0 {
		locs = []Location{{Line: line}}
	}
	return locs
}

// kingfisherRecord is the part of a Kingfisher finding tokenctl reads.
type kingfisherRecord struct {
	Rule struct {
		Name        string `json:"name"`
		ID          string `json:"id"`
		Description string `json:"description"`
	} `json:"rule"`
	Finding *struct {
		Snippet     *string `json:"snippet"`
		Path        string  `json:"path"`
		Line        int     `json:"line"`
		GitMetadata *struct {
			Commit struct {
				ID string `json:"id"`
			} `json:"commit"`
			File struct {
				Path string `json:"path"`
			} `json:"file"`
		} `json:"git_metadata"`
	} `json:"finding"`
}

// kingfisherRedacted is how kingfisher --redact masks a value.
func kingfisherRedacted(v, _ string) bool { return strings.HasPrefix(v, "[REDACTED") }

func (c *collector) kingfisherEnvelope(raw json.RawMessage) error {
	var env struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("is not a Kingfisher report (--format json): %s", jsonProblem(err))
	}
	for i, f := range env.Findings {
		if err := c.kingfisher(f); err != nil {
			return fmt.Errorf("finding %d %w", i+1, err)
		}
	}
	return nil
}

func (c *collector) kingfisher(raw json.RawMessage) error {
	var r kingfisherRecord
	if err := json.Unmarshal(raw, &r); err != nil || r.Finding == nil || r.Finding.Snippet == nil {
		return errors.New("is not a Kingfisher finding (an object with rule and finding.snippet)")
	}
	f := r.Finding
	loc := Location{File: f.Path, Line: f.Line}
	if g := f.GitMetadata; g != nil {
		loc.Commit = g.Commit.ID
		if loc.File == "" {
			loc.File = g.File.Path
		}
	}
	return c.add(finding{detector: r.Rule.Name + " " + r.Rule.ID + " " + r.Rule.Description, value: *f.Snippet, loc: loc})
}
