package tokens

import (
	"time"

	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/output"
)

// tokenStyle lays tokens out for one output: the table printer decides
// how times and colours read; the style adds when a token is stale.
type tokenStyle struct {
	table      output.TableStyle
	staleAfter time.Duration
}

func newTokenStyle(io *iostreams.IOStreams, format output.Format, now time.Time, staleAfter time.Duration) tokenStyle {
	return tokenStyle{table: io.TableStyle(format, now), staleAfter: staleAfter}
}

// lastUsed adds the last-used cell: yellow when the token is stale.
func (s tokenStyle) lastUsed(p *output.TablePrinter, t *time.Time) {
	if t != nil && s.table.Now.Sub(*t) >= s.staleAfter {
		p.AddTimeField(t, "never", output.WithTone(output.Warn))
		return
	}
	p.AddTimeField(t, "never")
}
