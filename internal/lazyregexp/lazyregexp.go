// Package lazyregexp is a regular expression compiled the first time it is
// used rather than at package initialisation. Every command pays for the
// package-level regexps of every package linked into tokenctl before main
// runs; a command that never matches one (`tokenctl version`) should not.
// It must stay a thin wrapper: the methods are the regexp package's.
package lazyregexp

import (
	"regexp"
	"sync"
)

// Regexp compiles its expression once, on first use. A bad expression
// panics then, as regexp.MustCompile would at start-up; the package tests
// that use each expression catch it.
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// New returns a Regexp for expr without compiling it. It only fills in a
// struct, so that a package-level `var x = lazyregexp.New(...)` is laid
// out by the compiler as data, and the package needs no initialisation
// for it: no code of it runs, and no page of it is touched, at start-up.
func New(expr string) *Regexp { return &Regexp{expr: expr} }

// compiled is the compiled expression, compiled on the first call.
func (r *Regexp) compiled() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.expr) })
	return r.re
}

// Regexp returns the compiled expression.
func (r *Regexp) Regexp() *regexp.Regexp { return r.compiled() }

// MatchString is regexp.Regexp.MatchString.
func (r *Regexp) MatchString(s string) bool { return r.compiled().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string {
	return r.compiled().FindStringSubmatch(s)
}

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.compiled().ReplaceAllString(src, repl)
}
