package hygiene

import (
	"time"

	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

// ReportFailure is the document of a check that failed before it had a
// report: Report's keys, in order, with the lists empty and what is not
// known (the time, the policy, the summary, notListed) null.
func ReportFailure() any {
	return struct {
		SchemaVersion     int                   `json:"schemaVersion"`
		GeneratedAt       *time.Time            `json:"generatedAt"`
		Policy            *PolicyRef            `json:"policy"`
		Organizations     []CheckedOrganization `json:"organizations"`
		Summary           *Summary              `json:"summary"`
		Findings          []Finding             `json:"findings"`
		ExceptionsApplied []ExceptionUse        `json:"exceptionsApplied"`
		Compared          *ComparedRef          `json:"compared"`
		NotChecked        []NotChecked          `json:"notChecked"`
		NotListed         *int                  `json:"notListed"`
		OrgFindings       []OrganizationFinding `json:"organizationFindings"`
		SettingsNotRead   []orgsettings.NotRead `json:"settingsNotRead"`
	}{
		SchemaVersion: ReportSchemaVersion, Organizations: []CheckedOrganization{}, Findings: []Finding{},
		ExceptionsApplied: []ExceptionUse{}, NotChecked: []NotChecked{},
		OrgFindings: []OrganizationFinding{}, SettingsNotRead: []orgsettings.NotRead{},
	}
}
