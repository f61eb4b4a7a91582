package redact

import (
	"slices"
	"sync"
	"sync/atomic"
)

// remembered is the credentials Remember was given, as Secrets hides
// them: a list replaced whole on each change, so that Secrets reads it
// without a lock.
var (
	remembered atomic.Pointer[[]string]
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
	var list []string
	if p := remembered.Load(); p != nil {
		if slices.Contains(*p, secret) {
			return
		}
		list = slices.Clone(*p)
	}
	list = append(list, secret)
	remembered.Store(&list)
}

// rememberedSecrets is what Remember was given.
func rememberedSecrets() []string {
	if p := remembered.Load(); p != nil {
		return *p
	}
	return nil
}
