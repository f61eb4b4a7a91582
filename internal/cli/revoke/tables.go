package revoke

import (
	"cmp"
	"strings"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// resultRows is the report's table: the status coloured on a terminal,
// descriptions and owners cut to fit one.
func resultRows(style output.TableStyle, r revoke.Report, wide bool) output.Rows {
	p := output.NewTablePrinter(style, "ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "STATUS", "CLIENT MUTATION ID", "REVOKED TOKEN ID")
	if wide {
		p.AddHeader("ORGANIZATION ID", "TOKEN ID", "ERROR")
	}
	for _, res := range r.Results {
		token := document.Deref(res.Token.UUID)
		if token == "" {
			token = res.Requested
		}
		owner := ""
		if res.Token.Owner != nil {
			owner = res.Token.Owner.String()
		}
		org := document.Deref(res.Organization.Slug)
		if org == "" {
			org = res.Organization.ID
		}
		p.AddField(org)
		p.AddField(token)
		p.AddField(document.Deref(res.Token.Description), output.Cut)
		p.AddField(owner, output.Cut)
		p.AddField(string(res.Status), output.WithTone(statusTone(string(res.Status))))
		p.AddField(document.Deref(res.ClientMutationID))
		p.AddField(document.Deref(res.RevokedAPIAccessTokenID))
		if wide {
			p.AddField(res.Organization.ID)
			p.AddField(document.Deref(res.Token.ID))
			p.AddField(document.Deref(res.Error))
		}
		p.EndRow()
	}
	return p.Rows()
}

// statusTone is a status's colour: revoked green, failed red.
func statusTone(status string) output.Tone {
	switch revoke.Status(status) {
	case revoke.StatusRevoked:
		return output.Good
	case revoke.StatusFailed:
		return output.Bad
	}
	return output.Plain
}

// planRows lists the tokens the plans would revoke, with their
// organization when there are several.
func planRows(style output.TableStyle, plans []*revoke.Plan) output.Rows {
	p := output.NewTablePrinter(style, "TOKEN", "DESCRIPTION", "OWNER", "SCOPES", "LAST USED")
	byOrg := len(plans) > 1
	if byOrg {
		p = output.NewTablePrinter(style, "ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "SCOPES", "LAST USED")
	}
	for _, plan := range plans {
		for _, it := range plan.Pending() {
			if byOrg {
				p.AddField(document.OrgName(plan.Organization))
			}
			t := it.Token
			if t == nil {
				p.AddField(cmp.Or(it.KnownUUID, it.Requested))
				p.AddField("(listed in an earlier run, not this one: Buildkite says whether it still has access)")
				p.AddField("")
				p.AddField("")
				p.AddField("")
				p.EndRow()
				continue
			}
			owner := ""
			if t.Owner != nil {
				owner = document.FormatUser(t.Owner.Name, t.Owner.Email)
			}
			p.AddField(t.UUID)
			p.AddField(t.Description, output.Cut)
			p.AddField(owner, output.Cut)
			p.AddField(strings.Join(t.Scopes, ","))
			p.AddTimeField(t.LastAccessedAt, "never")
			p.EndRow()
		}
	}
	return p.Rows()
}
