package tokens

import (
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/document"
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

// repeatedTexts makes the owner and scopes cells of a list's rows, which
// repeat from token to token (a thousand owners may hold fifty thousand
// tokens, with few sets of scopes), once each: a long table's rows are
// made once to measure them and once to write them (see
// output.TablePrinter.WriteRows). It keeps at most maxRepeatedTexts of
// each; beyond, a cell's text is made every time.
type repeatedTexts struct {
	owners, scopeSets map[string]string
	scratch           []byte
}

const maxRepeatedTexts = 4096

func newRepeatedTexts() *repeatedTexts {
	return &repeatedTexts{owners: map[string]string{}, scopeSets: map[string]string{}}
}

// owner is the owner's cell: document.User.String.
func (r *repeatedTexts) owner(u *document.User) string {
	if u.Name == "" || u.Email == "" {
		return u.String() // no text of its own to make
	}
	r.scratch = append(append(append(append(r.scratch[:0], u.Name...), " <"...), u.Email...), '>')
	return r.text(r.owners, r.scratch)
}

// scopes is the scopes cell: the scopes joined by commas.
func (r *repeatedTexts) scopes(scopes []string) string {
	if len(scopes) < 2 {
		return strings.Join(scopes, ",") // no text of its own to make
	}
	r.scratch = append(r.scratch[:0], scopes[0]...)
	for _, s := range scopes[1:] {
		r.scratch = append(append(r.scratch, ','), s...)
	}
	return r.text(r.scopeSets, r.scratch)
}

// text is b as a string, the one in seen when it is there.
func (r *repeatedTexts) text(seen map[string]string, b []byte) string {
	if s, ok := seen[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(seen) < maxRepeatedTexts {
		seen[s] = s
	}
	return s
}
