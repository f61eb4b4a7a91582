package hygiene

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// AnnotationLimit is the most Buildkite's `buildkite-agent annotate` takes:
// 1 MiB of Markdown.
const AnnotationLimit = 1 << 20

// SummaryLine says in one sentence what the check found.
func (r Report) SummaryLine() string {
	s := r.Summary
	orgs := make([]string, len(r.Organizations))
	for i, o := range r.Organizations {
		orgs[i] = o.Slug
	}
	verdict := "passed"
	switch {
	case r.Failing():
		verdict = "failed"
	case !r.Complete():
		// Never "passed" for organizations it did not see.
		verdict = "incomplete"
	}
	line := fmt.Sprintf("Token check %s for %s: %d token(s), %d finding(s) (%d revoke, %d error, %d warn, %d info), %d excepted, %d on bot users' tokens",
		verdict, strings.Join(orgs, ", "), s.Tokens, s.Open, s.BySeverity.Revoke, s.BySeverity.Error, s.BySeverity.Warn, s.BySeverity.Info, s.Excepted, s.Bots)
	if s.ExceptionExpired > 0 {
		line += fmt.Sprintf("; %d finding(s) whose exception expired", s.ExceptionExpired)
	}
	if s.New != nil {
		line += fmt.Sprintf("; since the last report: %d new, %d resolved", *s.New, *s.Resolved)
	}
	if n := len(r.NotChecked); n > 0 {
		names := make([]string, n)
		for i, nc := range r.NotChecked {
			names[i] = fmt.Sprintf("%s (%s)", document.OrgName(nc.Organization), nc.Cause)
		}
		line += fmt.Sprintf("; %d organization(s) not checked: %s", n, strings.Join(names, ", "))
	}
	if r.NotListed > 0 {
		line += fmt.Sprintf("; %d organization(s) not checked: Buildkite counted them but did not list them", r.NotListed)
	}
	return line + "."
}

// Markdown writes the report for a CI job's summary: `buildkite-agent
// annotate` or $GITHUB_STEP_SUMMARY. It holds the summary line, counts per
// rule and the findings worst first, and stays under limit bytes (at most
// AnnotationLimit): findings that do not fit are left out, with a note
// saying how many and where to find them.
func (r Report) Markdown(limit int) string {
	var b strings.Builder
	// About a row a finding, up to the limit.
	b.Grow(min(limit, AnnotationLimit, 4<<10+200*len(r.Findings)))
	_ = r.WriteMarkdown(&b, limit) // a strings.Builder does not fail
	return b.String()
}

// WriteMarkdown writes the Markdown summary (see Markdown) to w as it is
// laid out, instead of making it first.
func (r Report) WriteMarkdown(w io.Writer, limit int) error {
	if limit <= 0 || limit > AnnotationLimit {
		limit = AnnotationLimit
	}
	b := &countingWriter{w: w}
	b.put("### tokenctl check\n\n")
	b.put(mdText(r.SummaryLine()) + "\n\n")

	if len(r.NotChecked) > 0 {
		fmt.Fprintf(b, "#### Not checked (%d)\n\n| Organization | Cause | Why |\n|---|---|---|\n", len(r.NotChecked))
		for _, nc := range r.NotChecked {
			fmt.Fprintf(b, "| %s | %s | %s |\n", mdText(document.OrgName(nc.Organization)), nc.Cause, mdText(nc.Reason))
		}
		b.put("\n")
	}
	b.put("| Rule | Severity | Findings | Excepted | Bot users |\n|---|---|--:|--:|--:|\n")
	for _, rc := range r.Summary.ByRule {
		fmt.Fprintf(b, "| %s | %s | %d | %d | %d |\n", mdText(rc.Rule), rc.Severity, rc.Open, rc.Excepted, rc.Bots)
	}

	sections := []struct {
		title string
		keep  func(*Finding) bool
	}{
		{"Findings", func(f *Finding) bool { return f.Counts() && !f.MachineUser }},
		{"Machine users' tokens (reported apart; they count)", func(f *Finding) bool { return f.Counts() && f.MachineUser }},
		{"Bot users' tokens (reported apart, never failing)", func(f *Finding) bool { return f.Status == StatusOpen && f.Bot }},
		{"Excepted", func(f *Finding) bool { return f.Status == StatusExcepted }},
		{"Resolved since the last report", func(f *Finding) bool { return f.Status == StatusResolved }},
	}
	const header = "| Severity | Organization | Token | Description | Owner | Rule | Why |\n|---|---|---|---|---|---|---|\n"
	// Room kept for the note about what was cut.
	const noteRoom = 200
	left := 0
	if n := len(r.OrganizationFindings); n > 0 {
		fmt.Fprintf(b, "\n#### Organization settings (%d)\n\n| Severity | Organization | Rule | Why |\n|---|---|---|---|\n", n)
		for _, f := range r.OrganizationFindings {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", f.Severity, mdText(f.Organization), mdText(f.Rule), mdText(f.Message))
		}
	}
	// Rows are counted first and laid out only until one does not fit: a
	// large organization has far more findings than the summary holds.
	// Each is laid out in row, then copied to the summary if it fits.
	var row []byte
	for _, sec := range sections {
		n := 0
		for i := range r.Findings {
			if sec.keep(&r.Findings[i]) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		head := fmt.Sprintf("\n#### %s (%d)\n\n%s", sec.title, n, header)
		if b.Len()+len(head)+noteRoom > limit {
			left += n
			continue
		}
		b.put(head)
		written := 0
		for i := range r.Findings {
			f := &r.Findings[i]
			if !sec.keep(f) {
				continue
			}
			row = appendMarkdownRow(row[:0], f)
			if b.Len()+len(row)+noteRoom > limit {
				left += n - written
				break
			}
			b.putBytes(row)
			written++
		}
	}
	if left > 0 {
		fmt.Fprintf(b, "\n_%d more finding(s) not shown: this summary stays under %d bytes. The JSON report has every finding._\n", left, limit)
	}
	return b.err
}

// countingWriter counts what is written to w and keeps the first error,
// after which it writes nothing.
type countingWriter struct {
	w   io.Writer
	n   int
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err == nil {
		_, c.err = c.w.Write(p)
	}
	c.n += len(p)
	return len(p), nil
}

// putBytes writes p.
func (c *countingWriter) putBytes(p []byte) {
	if c.err == nil {
		_, c.err = c.w.Write(p)
	}
	c.n += len(p)
}

// put writes s.
func (c *countingWriter) put(s string) {
	if c.err == nil {
		_, c.err = io.WriteString(c.w, s)
	}
	c.n += len(s)
}

// Len is how many bytes were written.
func (c *countingWriter) Len() int { return c.n }

// appendMarkdownRow appends a finding's row of the Markdown summary to
// dst.
func appendMarkdownRow(dst []byte, f *Finding) []byte {
	owner := ""
	if f.Owner != nil {
		owner = f.Owner.Email
	}
	why := f.Message
	if f.Exception != nil {
		if f.Exception.Expired {
			why += fmt.Sprintf(" (exception expired %s: %s)", f.Exception.Until.Format("2006-01-02"), f.Exception.Reason)
		} else {
			why += fmt.Sprintf(" (excepted until %s: %s)", f.Exception.Until.Format("2006-01-02"), f.Exception.Reason)
		}
	}
	if f.Change != nil && *f.Change == ChangeNew {
		why = "**new** " + mdText(why)
	} else {
		why = mdText(why)
	}
	for _, part := range []string{"| ", string(f.Severity), " | ", mdText(f.Organization), " | `", f.Token.UUID, "` | ", mdText(document.Deref(f.Token.Description)),
		" | ", mdText(owner), " | ", mdText(f.Rule), " | ", why, " |\n"} {
		dst = append(dst, part...)
	}
	return dst
}

// mdText makes text from Buildkite (descriptions, names) safe in a GFM
// table cell: no HTML, no line breaks, no cell separators, no emphasis or
// code spans started by accident.
func mdText(s string) string {
	if mdPlain(s) && redact.Secrets(s) == s {
		return s // most text: nothing to change
	}
	return markdownEscaper.Replace(output.Printable(strings.Join(strings.Fields(s), " ")))
}

// mdPlain reports whether s is printable ASCII that mdText leaves as it
// is (once no secret is redacted from it): single spaces between words, and
// none of the characters markdownEscaper escapes.
func mdPlain(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < ' ' || c >= 0x7f:
			return false
		case c == ' ' && s[i-1] == ' ':
			return false
		case mdEscaped[c]:
			return false
		}
	}
	return true
}

// mdEscaped are the characters markdownEscaper escapes.
var mdEscaped = [256]bool{'&': true, '<': true, '>': true, '\\': true, '|': true, '`': true, '*': true, '_': true, '[': true, ']': true}

var markdownEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`)

// CSVRows lays the findings out one per row, with every column.
func (r Report) CSVRows() output.Rows {
	rows := output.Rows{Headers: []string{"organization", "token_uuid", "token_id", "description", "owner_email", "owner_name", "owner_role", "bot",
		"rule", "kind", "severity", "status", "change", "message", "evidence", "exception_reason", "exception_until", "exception_expired", "machine_user"}}
	for _, f := range r.Findings {
		var email, name, role string
		if f.Owner != nil {
			email, name, role = f.Owner.Email, f.Owner.Name, document.Deref(f.Owner.Role)
		}
		var reason, until, expired string
		if e := f.Exception; e != nil {
			reason, until, expired = e.Reason, stamp(e.Until), strconv.FormatBool(e.Expired)
		}
		rows.Cells = append(rows.Cells, []string{f.Organization, f.Token.UUID, f.Token.ID, document.Deref(f.Token.Description), email, name, role, strconv.FormatBool(f.Bot),
			f.Rule, f.Kind, string(f.Severity), f.Status, document.Deref(f.Change), f.Message, f.Evidence.String(), reason, until, expired, strconv.FormatBool(f.MachineUser)})
	}
	// Organization findings have no token: those columns are empty.
	for _, f := range r.OrganizationFindings {
		rows.Cells = append(rows.Cells, []string{f.Organization, "", "", "", "", "", "", "false",
			f.Rule, f.Kind, string(f.Severity), f.Status, "", f.Message, f.Evidence.String(), "", "", "", "false"})
	}
	return rows
}

// String writes evidence as key=value pairs in key order.
func (e Evidence) String() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := e[k]
		switch x := v.(type) {
		case nil:
			v = "null"
		case []string:
			v = strings.Join(x, ",")
		case []any:
			// A list read back from a saved report.
			items := make([]string, len(x))
			for j, item := range x {
				items[j] = fmt.Sprint(item)
			}
			v = strings.Join(items, ",")
		case float64:
			// A number read back from a saved report.
			v = strconv.FormatFloat(x, 'f', -1, 64)
		}
		parts[i] = fmt.Sprintf("%s=%v", k, v)
	}
	return strings.Join(parts, " ")
}

// WriteTable writes the report for a person at a terminal: the summary
// line, then the findings grouped by severity, worst first, then bot users'
// tokens apart; excepted and resolved findings are counted, not listed.
// style fits the tables to a terminal: descriptions and owners are cut
// there, never in a pipe or with -o wide.
func (r Report) WriteTable(w io.Writer, style output.TableStyle) error {
	if _, err := fmt.Fprintln(w, output.Printable(r.SummaryLine())); err != nil {
		return err
	}
	if len(r.NotChecked) > 0 {
		rows := output.Rows{Headers: []string{"ORGANIZATION", "CAUSE", "WHY"}}
		for _, nc := range r.NotChecked {
			rows.Cells = append(rows.Cells, []string{document.OrgName(nc.Organization), string(nc.Cause), nc.Reason})
		}
		if _, err := fmt.Fprintf(w, "\nNOT CHECKED (%d)\n", len(rows.Cells)); err != nil {
			return err
		}
		if err := output.WriteTable(w, rows); err != nil {
			return err
		}
	}
	if n := len(r.OrganizationFindings); n > 0 {
		rows := output.Rows{Headers: []string{"ORGANIZATION", "SEVERITY", "RULE", "WHY"}}
		for _, f := range r.OrganizationFindings {
			rows.Cells = append(rows.Cells, []string{f.Organization, strings.ToUpper(string(f.Severity)), f.Rule, f.Message})
		}
		if _, err := fmt.Fprintf(w, "\nORGANIZATION SETTINGS (%d)\n", n); err != nil {
			return err
		}
		if err := output.WriteTable(w, rows); err != nil {
			return err
		}
	}
	titles, group := findingGroups()
	counts := make([]int, len(titles))
	for i := range r.Findings {
		if g := group(&r.Findings[i]); g >= 0 {
			counts[g]++
		}
	}
	for g, title := range titles {
		if counts[g] == 0 {
			continue
		}
		if _, err := fmt.Fprintf(w, "\n%s (%d)\n", title, counts[g]); err != nil {
			return err
		}
		// The rows are written as they are made, not held beside the
		// findings they show; each pass over them looks for the group's
		// findings among all of them, which costs less than holding
		// where they are.
		p := output.NewTablePrinter(style, "ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "RULE", "WHY")
		err := p.WriteRows(w, func() {
			for i := range r.Findings {
				if f := &r.Findings[i]; group(f) == g {
					addFindingRow(p, f)
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// findingGroups are the groups of a findings table, and the group a
// finding is listed in (-1: none): by severity, worst first, then
// machine users' tokens, then bot users' tokens, whose findings do not
// count (see Finding.Counts), so each finding is in one group at most.
func findingGroups() (titles []string, group func(*Finding) int) {
	for _, sev := range Severities {
		titles = append(titles, strings.ToUpper(string(sev)))
	}
	machine, bot := len(titles), len(titles)+1
	titles = append(titles, "MACHINE USERS' TOKENS (reported apart; they count)", "BOT USERS' TOKENS (reported apart)")
	return titles, func(f *Finding) int {
		switch {
		case f.Status == StatusOpen && f.Bot:
			return bot
		case !f.Counts():
			return -1
		case f.MachineUser:
			return machine
		}
		return slices.Index(Severities, f.Severity)
	}
}

// addFindingRow adds a finding's row to a findings table.
func addFindingRow(p *output.TablePrinter, f *Finding) {
	owner := ""
	if f.Owner != nil {
		owner = f.Owner.Email
	}
	why := f.Message
	if f.Exception != nil && f.Exception.Expired {
		why += " (exception expired " + f.Exception.Until.Format("2006-01-02") + ")"
	}
	if f.Change != nil && *f.Change == ChangeNew {
		why = "new: " + why
	}
	if f.MachineUser {
		why = strings.ToUpper(string(f.Severity)) + ": " + why
	}
	p.AddField(f.Organization)
	p.AddField(f.Token.UUID)
	p.AddField(document.Deref(f.Token.Description), output.Cut)
	p.AddField(owner, output.Cut)
	p.AddField(f.Rule)
	p.AddField(why)
	p.EndRow()
}
