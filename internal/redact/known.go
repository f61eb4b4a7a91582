package redact

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"unsafe"
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
	// known only reads the text: it is searched where it lies, so that a
	// text without a secret (nearly every one) costs no copy.
	if out, changed := known(unsafe.Slice(unsafe.StringData(s), len(s)), secrets); changed { //nolint:gosec // read only: known never writes into the text it is given

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
// digits in either case. The \u00XX escapes are also found as a JSON
// string spells them, each backslash escaped (\\u0062\\u006b…): an answer
// whose message holds the escapes as text carries them so, and its
// decoded text would give the secret away. A spelling that encodes only some of the bytes,
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
	var lower []byte // b in lower case, made for a secret shorter than MinKnownRun
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		sp := spellingsOf(secret)
		if len(sp.sec) >= MinKnownRun {
			spans = sp.spansIn(b, spans)
			continue
		}
		if lower == nil {
			buf := lowerBuffers.Get().(*[]byte)
			defer lowerBuffers.Put(buf)
			lower = lowerASCII(b, buf)
		}
		for _, enc := range sp.encoded {
			spans = appendAll(lower, enc, spans)
		}
		spans = appendAll(lower, sp.sec, spans)
	}
	if len(spans) == 0 {
		return b, false
	}
	return hidden(b, spans), true
}

// hidden is b with each of spans, merged where they overlap, replaced by
// Placeholder, in a new slice.
func hidden(b []byte, spans []span) []byte {
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
	return append(out, b[at:]...)
}

// minInnerSecret is the length from which any secret, whatever its shape
// (a legacy 40-character token, a leaked value), has its inner runs of
// minInnerRun hidden: a shorter one has too few of them to matter.
const minInnerSecret = 24

// span is the bytes [start, end) of a text that belong to a secret.
type span struct{ start, end int }

// spellings is a secret in lower case, the length of its Buildkite prefix
// (0 when it has none), and the encodings of it KnownBytes hides, in lower
// case too. For a secret of MinKnownRun bytes or more it also holds what
// spansIn looks for.
type spellings struct {
	sec     []byte
	prefix  int
	encoded [][]byte
	// head is the secret's 4-byte windows that start in its first 4
	// bytes: one of them is in any run of 8 that begins the secret, at a
	// multiple of 4 in the text.
	head [4]uint32
	// windows are 8-byte windows of the secret's part after the prefix
	// (when its inner runs are hidden) and of each encoding, from its
	// first 8 bytes: one of them is in any inner run of minInnerRun and in
	// any whole encoding, at a multiple of 8 in the text. filter has a bit
	// per window's hash, so that text unlike the secret is passed over at
	// one multiplication a word.
	filter  [1 << windowHashBits / 64]uint64
	windows map[uint64][]window
}

// window is where an 8-byte window starts in the secret (needle -1) or in
// its encoding encoded[needle].
type window struct{ needle, at int }

// spellingCache keeps each secret's spellings, made once: there are a few
// secrets a run, and every answer body passes through KnownBytes.
var spellingCache sync.Map // string -> *spellings

func spellingsOf(secret string) *spellings {
	if sp, ok := spellingCache.Load(secret); ok {
		return sp.(*spellings)
	}
	sp := &spellings{sec: lowerASCII([]byte(secret), new([]byte)), prefix: tokenPrefixLen(secret)}
	var pct, uesc, quoted, dec, hex []byte
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		pct = fmt.Appendf(pct, "%%%02x", c)
		uesc = fmt.Appendf(uesc, "\\u%04x", c)
		quoted = fmt.Appendf(quoted, `\\u%04x`, c)
		dec = fmt.Appendf(dec, "&#%d;", c)
		hex = fmt.Appendf(hex, "&#x%x;", c)
	}
	sp.encoded = [][]byte{pct, uesc, quoted, dec, hex}
	if len(sp.sec) >= MinKnownRun {
		sp.index()
	}
	actual, _ := spellingCache.LoadOrStore(secret, sp)
	return actual.(*spellings)
}

// lowerBuffers holds the buffers lowerASCII writes into, for a secret
// shorter than MinKnownRun, so that a long text costs no new copy each
// time it is searched.
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
		binary.LittleEndian.PutUint64(out[i:], lowerWord(binary.LittleEndian.Uint64(b[i:])))
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

// index fills in what spansIn looks for (see spellings).
func (sp *spellings) index() {
	for j := range sp.head {
		sp.head[j] = binary.LittleEndian.Uint32(sp.sec[j:])
	}
	sp.windows = map[uint64][]window{}
	add := func(b []byte, w window) {
		x := binary.LittleEndian.Uint64(b)
		h := windowHash(x)
		sp.filter[h/64] |= 1 << (h % 64)
		sp.windows[x] = append(sp.windows[x], w)
	}
	if hasInnerRuns(sp.sec, sp.prefix) {
		for i := sp.prefix; i+8 <= len(sp.sec); i++ {
			add(sp.sec[i:], window{-1, i})
		}
	}
	// An encoding is 3 to 7 bytes a byte of the secret, so 24 or more
	// long: any place it is found holds one of its first 8 windows at a
	// multiple of 8.
	for e, enc := range sp.encoded {
		for j := 0; j < 8 && j+8 <= len(enc); j++ {
			add(enc[j:], window{e, j})
		}
	}
}

// hasInnerRuns reports whether KnownBytes hides runs from within secret
// (see KnownBytes), whose Buildkite prefix is prefix bytes long.
func hasInnerRuns(secret []byte, prefix int) bool {
	return (prefix > 0 || len(secret) >= minInnerSecret) && len(secret)-prefix >= minInnerRun
}

const windowHashBits = 16

func windowHash(x uint64) uint64 { return (x * 0x9e3779b97f4a7c15) >> (64 - windowHashBits) }

// spansIn appends to spans where text holds a part of the secret that
// KnownBytes hides, in any letter case, reading the text once, 8 bytes at
// a time, each word in lower case as it is read: the whole secret in one
// of its encodings (each place found after the end of the one before, as
// a search from the start would find them), runs of MinKnownRun or more
// that begin the secret, and runs of minInnerRun or more from within it,
// each grown as far as the text goes on following the secret. A run or an
// encoding is looked for only where a word of the text is one of the
// secret's windows (see spellings).
func (sp *spellings) spansIn(text []byte, spans []span) []span {
	type place struct{ needle, start int }
	var encoded []place
	m := 0
	for ; m+8 <= len(text); m += 8 {
		x := lowerWord(binary.LittleEndian.Uint64(text[m:]))
		if lo := uint32(x); sp.isHead(lo) { //nolint:gosec // the low half of the word, cut on purpose
			spans = sp.headAt(text, m, lo, spans)
		}
		if hi := uint32(x >> 32); sp.isHead(hi) {
			spans = sp.headAt(text, m+4, hi, spans)
		}
		if h := windowHash(x); sp.filter[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, w := range sp.windows[x] {
			if w.needle < 0 {
				spans = sp.innerAt(text, m, w.at, spans)
			} else if start := m - w.at; matchesLower(text, start, sp.encoded[w.needle]) {
				encoded = append(encoded, place{w.needle, start})
			}
		}
	}
	if m+4 <= len(text) {
		if lo := uint32(lowerWord(uint64(binary.LittleEndian.Uint32(text[m:])))); sp.isHead(lo) { //nolint:gosec // four bytes in, four bytes out
			spans = sp.headAt(text, m, lo, spans)
		}
	}
	slices.SortFunc(encoded, func(a, b place) int { return cmp.Or(a.needle-b.needle, a.start-b.start) })
	end := 0
	for i, p := range encoded {
		if i > 0 && p.needle == encoded[i-1].needle && p.start < end {
			continue
		}
		end = p.start + len(sp.encoded[p.needle])
		spans = append(spans, span{p.start, end})
	}
	return spans
}

func (sp *spellings) isHead(v uint32) bool {
	return v == sp.head[0] || v == sp.head[1] || v == sp.head[2] || v == sp.head[3]
}

// headAt appends the runs that begin the secret and hold, at m, its
// window v.
func (sp *spellings) headAt(text []byte, m int, v uint32, spans []span) []span {
	sec := sp.sec
	for j, h := range sp.head {
		start := m - j
		if h != v || !matchesLower(text, start, sec[:MinKnownRun]) {
			continue
		}
		n := MinKnownRun
		for n < len(sec) && start+n < len(text) && lowerByte(text[start+n]) == sec[n] {
			n++
		}
		spans = append(spans, span{start, start + n})
	}
	return spans
}

// innerAt appends the run of the secret that holds, at m in the text, its
// window at k, grown both ways (into the prefix too), if it holds
// minInnerRun or more of the secret's part after the prefix.
func (sp *spellings) innerAt(text []byte, m, k int, spans []span) []span {
	sec := sp.sec
	back := 0
	for m-back > 0 && k-back > 0 && lowerByte(text[m-back-1]) == sec[k-back-1] {
		back++
	}
	fwd := 8
	for m+fwd < len(text) && k+fwd < len(sec) && lowerByte(text[m+fwd]) == sec[k+fwd] {
		fwd++
	}
	if k+fwd-max(k-back, sp.prefix) < minInnerRun {
		return spans
	}
	if s := (span{m - back, m + fwd}); len(spans) == 0 || spans[len(spans)-1] != s {
		spans = append(spans, s)
	}
	return spans
}

// matchesLower reports whether text, in lower case, holds needle at start.
func matchesLower(text []byte, start int, needle []byte) bool {
	if start < 0 || start+len(needle) > len(text) {
		return false
	}
	for i, c := range needle {
		if lowerByte(text[start+i]) != c {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lowerWord is the eight bytes of x with their ASCII letters in lower
// case: a byte of 'A' to 'Z' gets 0x20 added.
func lowerWord(x uint64) uint64 {
	const hi, lo = 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	h := x & lo
	ge := h + 0x3f3f3f3f3f3f3f3f // high bit set where the byte is 'A' (0x41) or more
	gt := h + 0x2525252525252525 // high bit set where it is past 'Z' (0x5a)
	upper := ge &^ gt &^ x & hi
	return x | upper>>2
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
