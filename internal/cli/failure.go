package cli

import (
	"errors"
	"time"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// failureDocumenter is a command whose machine output is one document. A
// run that fails before it has results (an unknown organization, an
// outage, a rejected token, a bad flag) still prints that document, empty
// and with an "error" field, so that a script run with -o json always has
// something to parse.
type failureDocumenter interface {
	// failureDocument is the command's document with no results: every
	// contract field present, what is unknown null, lists empty.
	failureDocument() any
}

// printFailureDocument prints opts' failure document for err when the
// output is a document (JSON, YAML or --jq), and returns err. Nothing is
// printed when the command already reported (its document, or an --jq
// failure with the unfiltered document), or when the output format or
// the --jq expression is itself what was wrong.
func printFailureDocument(o *apiOptions, opts any, err error) error {
	var silent *silentError
	var jq *output.JQError
	doc, documented := opts.(failureDocumenter)
	if err == nil || !documented || o.settings == nil || o.formatErr != nil || errors.As(err, &silent) || errors.As(err, &jq) {
		return err
	}
	format := o.Format
	if format == "" {
		f, parseErr := output.ParseFormat(o.settings.Output)
		if parseErr != nil {
			return err
		}
		format = f
	}
	if output.CheckJQ(o.JQ) != nil {
		return err
	}
	printer := output.Printer{Out: o.IO.Out, Format: format, JQ: o.JQ}
	failure := output.Failure{Message: errorMessage(err), ExitCode: int(exitcode.Of(err))}
	if printErr := printer.PrintFailure(doc.failureDocument(), failure); printErr != nil {
		return errors.Join(err, printErr)
	}
	return err
}

func (o *RevokeOptions) failureDocument() any {
	report := revoke.NewReport(nil, o.DryRun)
	switch {
	case o.Scan.File != "":
		return ScanReport{DryRun: o.DryRun, Scanner: o.Scan.findings.Format, Secrets: []ScanSecretResult{}}
	case o.Leaked.Everywhere:
		return struct {
			DryRun bool           `json:"dryRun"`
			Token  *LeakedToken   `json:"token"`
			Status *revoke.Status `json:"status"`
		}{DryRun: o.DryRun}
	case o.Leaked.AllOrgs || o.Leaked.orgs != nil:
		// Which organizations went unchecked is not known: null, not [].
		return AllOrgsReport{Report: report}
	}
	return report
}

func (o *TokensListOptions) failureDocument() any {
	return struct {
		Organization *document.Organization `json:"organization"`
		AsOf         *time.Time             `json:"asOf"`
		Tokens       []document.Token       `json:"tokens"`
		Summary      *selector.Summary      `json:"summary"`
	}{Tokens: []document.Token{}}
}

func (o *TokensGetOptions) failureDocument() any {
	return struct {
		Organization *document.Organization `json:"organization"`
		AsOf         *time.Time             `json:"asOf"`
		Token        *document.Token        `json:"token"`
	}{}
}

func (o *WhoamiOptions) failureDocument() any {
	return struct {
		Token         *AccessTokenInfo        `json:"token"`
		User          *document.WhoamiUser    `json:"user"`
		GraphQLAccess *bool                   `json:"graphqlAccess"`
		Organizations []document.Organization `json:"organizations"`
		Notes         []string                `json:"notes"`
	}{Notes: []string{}}
}

func (o *PolicyShowOptions) failureDocument() any {
	return struct {
		Organization              *document.RevocationSettingOrganization `json:"organization"`
		RevokeInactiveTokensAfter *string                                 `json:"revokeInactiveTokensAfter"`
		PeriodDays                *int                                    `json:"periodDays"`
		AsOf                      *time.Time                              `json:"asOf"`
		Tokens                    []document.InactiveToken                `json:"tokens"`
	}{Tokens: []document.InactiveToken{}}
}

func (o *CheckOptions) failureDocument() any {
	return struct {
		SchemaVersion     int                           `json:"schemaVersion"`
		GeneratedAt       *time.Time                    `json:"generatedAt"`
		Policy            *hygiene.PolicyRef            `json:"policy"`
		Organizations     []hygiene.OrganizationRef     `json:"organizations"`
		Summary           *hygiene.Summary              `json:"summary"`
		Findings          []hygiene.Finding             `json:"findings"`
		ExceptionsApplied []hygiene.ExceptionUse        `json:"exceptionsApplied"`
		Compared          *hygiene.ComparedRef          `json:"compared"`
		NotChecked        []hygiene.NotChecked          `json:"notChecked"`
		NotListed         *int                          `json:"notListed"` // not known: null
		OrgFindings       []hygiene.OrganizationFinding `json:"organizationFindings"`
		SettingsNotRead   []orgsettings.NotRead         `json:"settingsNotRead"`
	}{
		SchemaVersion: hygiene.ReportSchemaVersion, Organizations: []hygiene.OrganizationRef{}, Findings: []hygiene.Finding{},
		ExceptionsApplied: []hygiene.ExceptionUse{}, NotChecked: []hygiene.NotChecked{},
		OrgFindings: []hygiene.OrganizationFinding{}, SettingsNotRead: []orgsettings.NotRead{},
	}
}
