package redact

import (
	"bytes"
	"slices"
)

// MinKnownRun is the shortest part of a known secret that Known hides on
// its own: shorter runs are too likely to be ordinary text.
const MinKnownRun = 8

// minInnerRun is the shortest run of a token's secret part, not at the
// token's start, that Known hides. Eight characters from within a token
// would be found in ordinary answers too, which are scrubbed before they
// are read: a hex token shares an 8-character run with some uuid group
// of a long listing now and then, and a made-up token (the emulator's
// bkua_settings000…) shares its first 8 with words of the answers
// ("api-settings"); hiding those would break the answer. No run of 16
// is shared so.
const minInnerRun = 16

// Known returns s with the known secrets taken out (see KnownBytes).
func Known(s string, secrets ...string) string {
	if len(secrets) == 0 || s == "" {
		return s
	}
	if out, changed := known([]byte(s), secrets); changed {
		return string(out)
	}
	return s
}

// KnownBytes returns b with every part of the known secrets that could
// give one away replaced by Placeholder: the whole secret; any run of
// MinKnownRun or more characters that begins it (a server or proxy that
// repeats "the token starting bkua_1234…" has printed that much of it);
// and, for a Buildkite token (bkua_…, in any case), any run of 16 or
// more characters of what follows the prefix (see minInnerRun). A secret
// shorter than MinKnownRun is hidden only whole. b itself is returned,
// unchanged, when it holds none of them.
func KnownBytes(b []byte, secrets ...string) []byte {
	out, _ := known(b, secrets)
	return out
}

func known(b []byte, secrets []string) ([]byte, bool) {
	var spans []span
	for _, secret := range secrets {
		spans = knownSpans(b, secret, spans)
	}
	if len(spans) == 0 {
		return b, false
	}
	slices.SortFunc(spans, func(x, y span) int { return x.start - y.start })
	out := make([]byte, 0, len(b))
	at := 0
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start <= end; i++ {
			end = max(end, spans[i].end)
		}
		out = append(out, b[at:start]...)
		out = append(out, Placeholder...)
		at = end
	}
	return append(out, b[at:]...), true
}

// span is the bytes [start, end) of a text that belong to a secret.
type span struct{ start, end int }

// knownSpans appends to spans where b holds a part of secret that
// KnownBytes hides.
func knownSpans(b []byte, secret string, spans []span) []span {
	if secret == "" {
		return spans
	}
	if len(secret) < MinKnownRun {
		return appendAll(b, []byte(secret), spans)
	}
	sec := []byte(secret)
	// Runs that begin the secret: find its first MinKnownRun bytes, then
	// see how far the text goes on to follow it.
	head := sec[:MinKnownRun]
	for i := 0; ; {
		j := bytes.Index(b[i:], head)
		if j < 0 {
			break
		}
		start := i + j
		n := MinKnownRun
		for n < len(sec) && start+n < len(b) && b[start+n] == sec[n] {
			n++
		}
		spans = append(spans, span{start, start + n})
		i = start + 1
	}
	p := tokenPrefixLen(secret)
	if p == 0 || len(sec)-p < MinKnownRun {
		return spans
	}
	// Runs from anywhere in a token's secret part, minInnerRun long or
	// more. Any run of 8 or more of its characters holds one of its four-byte
	// pieces that start at a multiple of 4 from the prefix (the first
	// such start is at most 3 into the run, so the piece ends at most 7
	// into it): find each piece, and grow each place it is found as far
	// as the text goes on following the secret both ways.
	for k := p; k+4 <= len(sec); k += 4 {
		piece := sec[k : k+4]
		for i := 0; ; {
			j := bytes.Index(b[i:], piece)
			if j < 0 {
				break
			}
			t := i + j
			back := 0
			for t-back > 0 && k-back > 0 && b[t-back-1] == sec[k-back-1] {
				back++
			}
			fwd := 4
			for t+fwd < len(b) && k+fwd < len(sec) && b[t+fwd] == sec[k+fwd] {
				fwd++
			}
			if n := k + fwd - max(k-back, p); n >= minInnerRun {
				spans = append(spans, span{t - back, t + fwd})
			}
			i = t + 1
		}
	}
	return spans
}

// appendAll appends every place b holds needle.
func appendAll(b, needle []byte, spans []span) []span {
	for i := 0; ; {
		j := bytes.Index(b[i:], needle)
		if j < 0 {
			return spans
		}
		spans = append(spans, span{i + j, i + j + len(needle)})
		i += j + len(needle)
	}
}

// tokenPrefixLen is the length of secret's Buildkite prefix (bkua_,
// bkpat_, in any case), 0 when it has none.
func tokenPrefixLen(secret string) int {
	letter := func(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
	if len(secret) < 5 || secret[0]|0x20 != 'b' || secret[1]|0x20 != 'k' || !letter(secret[2]) || !letter(secret[3]) {
		return 0
	}
	switch {
	case secret[4] == '_':
		return 5
	case len(secret) > 5 && letter(secret[4]) && secret[5] == '_':
		return 6
	}
	return 0
}
