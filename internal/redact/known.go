package redact

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
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
// give one away replaced by Placeholder, matched in any case (an echo in
// capitals gives a secret away as well): the whole secret; any run of
// MinKnownRun or more characters that begins it (a server or proxy that
// repeats "the token starting bkua_1234…" has printed that much of it);
// and, for a Buildkite token (bkua_…) or any secret of minInnerSecret
// characters or more, any run of minInnerRun or more characters of what
// follows the prefix (the whole secret when it has none). A secret
// shorter than MinKnownRun is hidden only whole.
//
// The secret spelled whole in an encoding a server or proxy may echo it
// in is hidden too: every byte percent-encoded (%62%6B…), as JSON \u00XX
// escapes, or as HTML decimal (&#98;) or hex (&#x62;) entities, the hex
// digits in either case. A spelling that encodes only some of the bytes,
// or pads the numbers (&#098;), or is of the secret in other letter
// cases, is not recognised, and neither is a part of an encoded secret.
//
// b itself is returned, unchanged, when it holds none of them.
func KnownBytes(b []byte, secrets ...string) []byte {
	out, _ := known(b, secrets)
	return out
}

func known(b []byte, secrets []string) ([]byte, bool) {
	var spans []span
	var lower []byte // b in lower case, made once for every secret
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		if lower == nil {
			buf := lowerBuffers.Get().(*[]byte)
			defer lowerBuffers.Put(buf)
			lower = lowerASCII(b, buf)
		}
		spans = knownSpans(lower, spellingsOf(secret), spans)
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

// minInnerSecret is the length from which any secret, whatever its shape
// (a legacy 40-character token, a leaked value), has its inner runs of
// minInnerRun hidden: a shorter one has too few of them to matter.
const minInnerSecret = 24

// span is the bytes [start, end) of a text that belong to a secret.
type span struct{ start, end int }

// spellings is a secret in lower case, the length of its Buildkite prefix
// (0 when it has none), and the encodings of it KnownBytes hides, in lower
// case too.
type spellings struct {
	sec     []byte
	prefix  int
	encoded [][]byte
	windows *windowIndex // nil when no inner runs are hidden
}

// spellingCache keeps each secret's spellings, made once: there are a few
// secrets a run, and every answer body passes through KnownBytes.
var spellingCache sync.Map // string -> *spellings

func spellingsOf(secret string) *spellings {
	if sp, ok := spellingCache.Load(secret); ok {
		return sp.(*spellings)
	}
	sp := &spellings{sec: lowerASCII([]byte(secret), new([]byte)), prefix: tokenPrefixLen(secret)}
	if len(sp.sec) >= MinKnownRun && hasInnerRuns(sp.sec, sp.prefix) {
		sp.windows = newWindowIndex(sp.sec, sp.prefix)
	}
	var pct, uesc, dec, hex []byte
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		pct = fmt.Appendf(pct, "%%%02x", c)
		uesc = fmt.Appendf(uesc, "\\u%04x", c)
		dec = fmt.Appendf(dec, "&#%d;", c)
		hex = fmt.Appendf(hex, "&#x%x;", c)
	}
	sp.encoded = [][]byte{pct, uesc, dec, hex}
	actual, _ := spellingCache.LoadOrStore(secret, sp)
	return actual.(*spellings)
}

// lowerBuffers holds the buffers lowerASCII writes into, so that a long
// answer body costs no new copy each time it is scrubbed.
var lowerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// lowerASCII returns b with its ASCII letters in lower case, the same
// length, so that an index into it is one into b. It is written into
// *buf, grown as needed.
func lowerASCII(b []byte, buf *[]byte) []byte {
	if cap(*buf) < len(b) {
		*buf = make([]byte, len(b))
	}
	out := (*buf)[:len(b)]
	i := 0
	// Eight bytes at a time: a byte of 'A' to 'Z' gets 0x20 added.
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		const hi, lo = 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
		h := x & lo
		ge := h + 0x3f3f3f3f3f3f3f3f // high bit set where the byte is 'A' (0x41) or more
		gt := h + 0x2525252525252525 // high bit set where it is past 'Z' (0x5a)
		upper := ge &^ gt &^ x & hi
		binary.LittleEndian.PutUint64(out[i:], x|upper>>2)
	}
	for ; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// knownSpans appends to spans where text (in lower case) holds a part of
// the secret that KnownBytes hides.
func knownSpans(text []byte, sp *spellings, spans []span) []span {
	sec := sp.sec
	// The encodings of the whole secret, then the secret itself, whole or
	// from its start (in any case, as the text is in lower case, so that a
	// run of digits that starts it cannot stop the match short), then runs
	// from within it. Spans that overlap are joined, so the longest match
	// is what is hidden.
	for _, enc := range sp.encoded {
		spans = appendAll(text, enc, spans)
	}
	if len(sec) < MinKnownRun {
		return appendAll(text, sec, spans)
	}
	// Runs that begin the secret: find its first MinKnownRun bytes, then
	// see how far the text goes on to follow it.
	head := sec[:MinKnownRun]
	for i := 0; ; {
		j := bytes.Index(text[i:], head)
		if j < 0 {
			break
		}
		start := i + j
		n := MinKnownRun
		for n < len(sec) && start+n < len(text) && text[start+n] == sec[n] {
			n++
		}
		spans = append(spans, span{start, start + n})
		i = start + 1
	}
	if sp.windows == nil {
		return spans
	}
	return innerSpans(text, sec, sp.prefix, sp.windows, spans)
}

// hasInnerRuns reports whether KnownBytes hides runs from within secret
// (see KnownBytes), whose Buildkite prefix is prefix bytes long.
func hasInnerRuns(secret []byte, prefix int) bool {
	return (prefix > 0 || len(secret) >= minInnerSecret) && len(secret)-prefix >= minInnerRun
}

// windowIndex holds the 8-byte windows of a secret's part after its
// prefix, for innerSpans: a filter with a bit per window's hash, so that
// text unlike the secret is passed over at one multiplication a window,
// and where in the secret each window starts.
type windowIndex struct {
	filter [1 << windowHashBits / 64]uint64
	at     map[uint64][]int
}

const windowHashBits = 16

func windowHash(x uint64) uint64 { return (x * 0x9e3779b97f4a7c15) >> (64 - windowHashBits) }

func newWindowIndex(sec []byte, prefix int) *windowIndex {
	idx := &windowIndex{at: map[uint64][]int{}}
	for i := prefix; i+8 <= len(sec); i++ {
		x := binary.LittleEndian.Uint64(sec[i:])
		h := windowHash(x)
		idx.filter[h/64] |= 1 << (h % 64)
		idx.at[x] = append(idx.at[x], i)
	}
	return idx
}

// innerSpans appends to spans every run of minInnerRun or more bytes of
// sec after its prefix that text holds, grown as far as the text goes on
// following the secret both ways (into the prefix too). Such a run holds
// 8 bytes of the text that start at a multiple of 8: the text is read 8
// bytes at a time, and only where those 8 are a window of the secret is
// a run looked for around them. The same run found from two of its
// windows is appended once.
func innerSpans(text, sec []byte, prefix int, idx *windowIndex, spans []span) []span {
	for m := 0; m+8 <= len(text); m += 8 {
		x := binary.LittleEndian.Uint64(text[m:])
		if h := windowHash(x); idx.filter[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, k := range idx.at[x] {
			back := 0
			for m-back > 0 && k-back > 0 && text[m-back-1] == sec[k-back-1] {
				back++
			}
			fwd := 8
			for m+fwd < len(text) && k+fwd < len(sec) && text[m+fwd] == sec[k+fwd] {
				fwd++
			}
			if k+fwd-max(k-back, prefix) < minInnerRun {
				continue
			}
			if s := (span{m - back, m + fwd}); len(spans) == 0 || spans[len(spans)-1] != s {
				spans = append(spans, s)
			}
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
