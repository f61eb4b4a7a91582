package testenv_test

import (
	"os"
	"testing"

	"github.com/tokenctl/tokenctl/internal/testenv"
)

func TestOnlyUnsetsWhatItDoesNotName(t *testing.T) {
	t.Setenv("TESTENV_KEPT", "outside")
	t.Setenv("TESTENV_DROPPED", "from the machine")
	testenv.Only(t, []string{"TESTENV_DROPPED", "TESTENV_SET"}, map[string]string{"TESTENV_SET": "v"})
	if _, ok := os.LookupEnv("TESTENV_DROPPED"); ok {
		t.Error("a listed variable the test does not set is still set")
	}
	if got := os.Getenv("TESTENV_SET"); got != "v" {
		t.Errorf("TESTENV_SET = %q, want v", got)
	}
	if got := os.Getenv("TESTENV_KEPT"); got != "outside" {
		t.Errorf("a variable outside the names changed: %q", got)
	}
}
