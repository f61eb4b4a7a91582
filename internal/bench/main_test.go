package bench

import (
	"fmt"
	"os"
	"testing"
)

// TestMain lets the test binary double as the emulator child, as the bench
// program does.
func TestMain(m *testing.M) {
	if child, err := ServeEmulatorIfChild(); child {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
