package lazyregexp

import (
	"sync"
	"testing"
)

func TestMethodsMatchRegexp(t *testing.T) {
	r := New(`^a(b+)c$`)
	if !r.MatchString("abbc") || r.MatchString("ac") {
		t.Error("MatchString")
	}
	if m := r.FindStringSubmatch("abbc"); len(m) != 2 || m[1] != "bb" {
		t.Errorf("FindStringSubmatch = %q", m)
	}
	if got := New(`b+`).ReplaceAllString("abbcb", "-"); got != "a-c-" {
		t.Errorf("ReplaceAllString = %q", got)
	}
}

func TestCompiledOnceUnderConcurrentUse(t *testing.T) {
	r := New(`x`)
	var wg sync.WaitGroup
	seen := make(chan any, 8)
	for range 8 {
		wg.Go(func() { seen <- r.Regexp() })
	}
	wg.Wait()
	close(seen)
	first := <-seen
	for re := range seen {
		if re != first {
			t.Fatal("compiled more than once")
		}
	}
}

func TestBadExpressionPanicsOnFirstUse(t *testing.T) {
	r := New(`(`) // no panic yet: nothing compiled
	defer func() {
		if recover() == nil {
			t.Error("a bad expression did not panic when used")
		}
	}()
	r.MatchString("x")
}
