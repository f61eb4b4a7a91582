// Package testenv makes a test's environment exactly what it names, for
// code that reads the process's environment (tokenctl's configuration, its
// cache and pager) and so cannot be handed one.
package testenv

import (
	"os"
	"sync"
	"testing"
)

// Only makes env the whole of the variables in names until the test ends:
// each one env does not set is unset, so neither the machine's settings nor
// another test's reach the code under test; variables outside names are
// left alone. The environment is the process's, so a test that calls it is
// not parallel; runs a test starts side by side set it one at a time (the
// testing package's Setenv is not safe to call from several goroutines).
func Only(t testing.TB, names []string, env map[string]string) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	for _, name := range names {
		if _, ok := env[name]; !ok {
			t.Setenv(name, "") // restored when the test ends
			os.Unsetenv(name)
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

var mu sync.Mutex
