package redact

import (
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// remembered is the spellings of the credentials Remember was given, as
// Secrets hides them: a list replaced whole on each change, so that
// Secrets reads it without a lock.
var (
	remembered atomic.Pointer[[]*spellings]
	rememberMu sync.Mutex
)

// Remember makes Secrets, and so every message, table, report, trace and
// audit record, hide secret from now on as Known does: whole, its parts
// that give it away and its encodings, in any letter case, whatever its
// shape. Call it with each credential the run holds (the API token once
// it is read) before anything is printed, so that no text reaches an
// output unscrubbed because the path it took never held the credential:
// a redirect's Location, a setting that repeats the token, a message
// made from the decoded answer. A secret shorter than MinKnownRun is not
// remembered: hiding it everywhere would mangle ordinary words.
func Remember(secret string) {
	if len(secret) < MinKnownRun {
		return
	}
	rememberMu.Lock()
	defer rememberMu.Unlock()
	var list []*spellings
	sp := spellingsOf(secret)
	if p := remembered.Load(); p != nil {
		if slices.Contains(*p, sp) {
			return
		}
		list = slices.Clone(*p)
	}
	list = append(list, sp)
	remembered.Store(&list)
}

// hideRemembered is s with the credentials Remember was given taken out,
// as Known takes them out; s itself when it holds none of them, which
// costs no copy (the text is only read where it lies).
func hideRemembered(s string) string {
	p := remembered.Load()
	if p == nil || s == "" {
		return s
	}
	text := unsafe.Slice(unsafe.StringData(s), len(s)) //nolint:gosec // read only: spansIn never writes into the text
	var spans []span
	for _, sp := range *p {
		spans = sp.spansIn(text, spans)
	}
	if len(spans) == 0 {
		return s
	}
	return string(hidden(text, spans))
}
