package redact

import "bytes"

// knownByScans is how KnownBytes found a secret's spellings before it read
// the text once, 8 bytes at a time: the text in lower case, searched
// whole for each encoding, for the secret's first 8 bytes, and for every
// piece of its part after the prefix. KnownBytes must hide exactly what it
// hid.
func knownByScans(b []byte, secrets ...string) []byte {
	var spans []span
	lower := lowerASCII(b, new([]byte))
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		sp := spellingsOf(secret)
		sec := sp.sec
		for _, enc := range sp.encoded {
			spans = appendAllRef(lower, enc, spans)
		}
		if len(sec) < MinKnownRun {
			spans = appendAllRef(lower, sec, spans)
			continue
		}
		head := sec[:MinKnownRun]
		for i := 0; ; {
			j := bytes.Index(lower[i:], head)
			if j < 0 {
				break
			}
			start := i + j
			n := MinKnownRun
			for n < len(sec) && start+n < len(lower) && lower[start+n] == sec[n] {
				n++
			}
			spans = append(spans, span{start, start + n})
			i = start + 1
		}
		if hasInnerRuns(sec, sp.prefix) {
			spans = append(spans, innerSpansByPieces(lower, sec, sp.prefix)...)
		}
	}
	if len(spans) == 0 {
		return b
	}
	spans = merged(spans)
	out := make([]byte, 0, len(b))
	at := 0
	for _, s := range spans {
		out = append(out, b[at:s.start]...)
		out = append(out, Placeholder...)
		at = s.end
	}
	return append(out, b[at:]...)
}

// appendAllRef appends every place b holds needle, each found after the
// end of the one before.
func appendAllRef(b, needle []byte, spans []span) []span {
	for i := 0; ; {
		j := bytes.Index(b[i:], needle)
		if j < 0 {
			return spans
		}
		spans = append(spans, span{i + j, i + j + len(needle)})
		i += j + len(needle)
	}
}
