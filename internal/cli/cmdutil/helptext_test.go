package cmdutil

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/selector"
)

// The help texts are spelled out as constants, so that nothing runs at
// start-up to make them; they must say what the values they name say.
func TestHelpTextsSayTheirValues(t *testing.T) {
	if want := pageSizeHelp("tokens per listing request"); PageSizeUsage != want {
		t.Errorf("PageSizeUsage = %q, want %q", PageSizeUsage, want)
	}
	if want := pageSizeHelp("events per audit-log request"); EventsPageSizeUsage != want {
		t.Errorf("EventsPageSizeUsage = %q, want %q", EventsPageSizeUsage, want)
	}
	indent := strings.Repeat(" ", len("  --admin-capable        "))
	if want := strings.Join(selector.AdminScopes, ",\n"+indent); selectorAdminScopes != want || !strings.HasSuffix(SelectorHelp, "\n"+indent+want) {
		t.Errorf("SelectorHelp lists the admin scopes as\n%s\nwant\n%s", selectorAdminScopes, want)
	}
}
