package policy

import (
	"fmt"
	"io"
	"strconv"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
)

// whatIfSentence says what the period would do.
func whatIfSentence(w *document.RevocationSettingWhatIf) string {
	if w.PeriodDays == nil {
		return fmt.Sprintf("With %s, no API access token would be revoked automatically.", w.RevokeInactiveTokensAfter)
	}
	return fmt.Sprintf("With %s, %d token(s) unused for %d days would be revoked today (%d not revoked by the current setting):",
		w.RevokeInactiveTokensAfter, len(w.Tokens), *w.PeriodDays, w.NewlyTaken)
}

// printWhatIf writes the what-if part of the policy table: the sentence,
// then the tokens the period would take.
func printWhatIf(out io.Writer, style output.TableStyle, r document.RevocationSetting) error {
	fmt.Fprintln(out, whatIfSentence(r.WhatIf))
	if len(r.WhatIf.Tokens) == 0 {
		return nil
	}
	fmt.Fprintln(out)
	rows := policyRows(style, document.RevocationSetting{AsOf: r.AsOf, Tokens: r.WhatIf.Tokens}, style.Format == output.Wide)
	return output.WriteTable(out, rows)
}

func policyRows(style output.TableStyle, r document.RevocationSetting, wide bool) output.Rows {
	p := output.NewTablePrinter(style, "TOKEN", "DESCRIPTION", "OWNER", "LAST USED", "REVOKED FROM")
	if wide {
		p.AddHeader("TOKEN ID", "INACTIVE SINCE", "CREATED", "EXPIRES", "DUE")
	}
	for _, t := range r.Tokens {
		owner := ""
		if t.Owner != nil {
			owner = t.Owner.String()
		}
		p.AddField(t.UUID)
		p.AddField(document.Deref(t.Description), output.Cut)
		p.AddField(owner, output.Cut)
		p.AddTimeField(t.LastAccessedAt, "never")
		p.AddTimeField(&t.RevokeAt, "")
		if wide {
			p.AddField(t.ID)
			p.AddTimeField(&t.InactiveSince, "")
			p.AddTimeField(&t.CreatedAt, "")
			p.AddTimeField(t.ExpiresAt, "")
			p.AddField(strconv.FormatBool(t.Due))
		}
		p.EndRow()
	}
	return p.Rows()
}
