package document

// RevocationSettingWhatIf is what a period would revoke today, beside the
// current setting.
type RevocationSettingWhatIf struct {
	RevokeInactiveTokensAfter string `json:"revokeInactiveTokensAfter"`
	// PeriodDays is null for NEVER.
	PeriodDays *int `json:"periodDays"`
	// Tokens are those the period would revoke today (all due), soonest
	// revokeAt first. Never null.
	Tokens []InactiveToken `json:"tokens"`
	// NewlyTaken counts the tokens among them that the current setting
	// does not revoke today.
	NewlyTaken int `json:"newlyTaken"`
}

// RevocationSettingChange is the document of `tokenctl policy set`. Fields
// are only ever added.
type RevocationSettingChange struct {
	Organization OrganizationRef `json:"organization"`
	// From is the period before (null when unset), To the one asked for.
	From   *string `json:"from"`
	To     string  `json:"to"`
	DryRun bool    `json:"dryRun"`
	// Status is updated, dry-run, or unchanged (already set).
	Status           string                   `json:"status"`
	ClientMutationID *string                  `json:"clientMutationId"`
	WhatIf           *RevocationSettingWhatIf `json:"whatIf"`
}

// RevocationSettingChangeFailure is the document of a `policy set` that
// failed (see TokenListFailure).
func RevocationSettingChangeFailure(dryRun bool) any {
	return struct {
		Organization     *OrganizationRef         `json:"organization"`
		From             *string                  `json:"from"`
		To               *string                  `json:"to"`
		DryRun           bool                     `json:"dryRun"`
		Status           *string                  `json:"status"`
		ClientMutationID *string                  `json:"clientMutationId"`
		WhatIf           *RevocationSettingWhatIf `json:"whatIf"`
	}{DryRun: dryRun}
}
