package hygiene

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/output"
)

// ExitCode is the exit status a check with this report ends with, whether
// the check just ran or the report is rendered again from a file, derived
// from the findings and the organizations not checked (never from the
// summary, which a saved file may say anything in): 8 when
// a finding at error or revoke severity counts, 9 when none does but
// --all-orgs did not see every organization Buildkite counted, 0
// otherwise.
func (r Report) ExitCode() exitcode.Code {
	switch {
	case r.Failing():
		return exitcode.Findings
	case r.Missed() || len(r.SettingsNotRead) > 0:
		// A clean report is not a clean bill for organizations it never
		// saw, or whose API settings it could not read.
		return exitcode.Incomplete
	}
	return exitcode.OK
}

// Saved is what `tokenctl check -o json` wrote: the report of a check that
// ran, or, when the check could not run, its failure document (the empty
// report with an "error" field saying why). Exactly one is set.
type Saved struct {
	Report  *Report
	Failure *output.Failure
}

// ReadSaved reads a file written by `tokenctl check -o json`, for
// `tokenctl check --from-report`.
func ReadSaved(data []byte, source string) (Saved, error) {
	var probe struct {
		SchemaVersion *int            `json:"schemaVersion"`
		Error         *output.Failure `json:"error"`
	}
	if len(data) == 0 {
		return Saved{}, fmt.Errorf("%s: is empty, not a tokenctl check JSON report; the check that should have written it printed nothing on standard output (its standard error says why)", source)
	}
	if err := json.Unmarshal(data, &probe); err != nil || probe.SchemaVersion == nil {
		// ReadReport says what is wrong.
		_, err := ReadReport(data, source)
		return Saved{}, err
	}
	if f := probe.Error; f != nil {
		if *probe.SchemaVersion != ReportSchemaVersion {
			return Saved{}, fmt.Errorf("%s: report schemaVersion %d, this tokenctl reads %d", source, *probe.SchemaVersion, ReportSchemaVersion)
		}
		if f.Message == "" || f.ExitCode <= 0 || f.ExitCode > 255 {
			return Saved{}, fmt.Errorf("%s: a failure document without a message and an exit code from 1 to 255", source)
		}
		return Saved{Failure: f}, nil
	}
	r, err := ReadReport(data, source)
	if err != nil {
		return Saved{}, err
	}
	return Saved{Report: r}, nil
}

// ErrFailureDocument is what ReadReport says about the failure document of
// a check that could not run: it holds no findings to compare with.
var ErrFailureDocument = errors.New("the check that wrote it could not run, so it has no findings to compare with")

// FailureMarkdown is the CI summary of a check that could not run: why,
// and with which exit status.
func FailureMarkdown(f output.Failure) string {
	return fmt.Sprintf("### tokenctl check\n\n**The token check could not run** (exit status %d): %s\n\nNo token was checked, so this is neither a pass nor a failure of the policy. The job log has the whole error.\n",
		f.ExitCode, mdText(f.Message))
}
