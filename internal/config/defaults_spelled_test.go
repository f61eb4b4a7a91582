package config

import (
	"strconv"
	"testing"
)

// keySpecs writes its defaults out, so that nothing runs at start-up to
// make them; they must say what the constants say.
func TestDefaultsSpelledOut(t *testing.T) {
	want := map[string]string{
		KeyTimeout:     DefaultTimeout.String(),
		KeyPageSize:    strconv.Itoa(DefaultPageSize),
		KeyConcurrency: strconv.Itoa(DefaultConcurrency),
	}
	for _, s := range keySpecs {
		if w, ok := want[s.key]; ok && s.def != w {
			t.Errorf("%s: default written %q, the constant says %q", s.key, s.def, w)
		}
		delete(want, s.key)
	}
	if len(want) != 0 {
		t.Errorf("no setting for %v", want)
	}
	if got := errKeychainTimeout.Error(); got != "it did not answer within "+keychainTimeout.String()+" (is it waiting to be unlocked?)" {
		t.Errorf("errKeychainTimeout says %q, the deadline is %s", got, keychainTimeout)
	}
}
