package bench

import (
	"os/exec"
	"testing"
)

// ballast is memory the test holds while it measures a small program.
var ballast []byte

// A measured program's peak memory is its own, not the bench's: the kernel
// charges a child the memory of the process it was started from, so a
// bench holding hundreds of megabytes would report every program that big.
func TestRunProcessReportsTheProgramsOwnPeakMemory(t *testing.T) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) to measure")
	}
	launcher, err := BuildLauncher(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ballast = make([]byte, 256<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1 // resident, page by page
	}
	defer func() { ballast = nil }()
	u, err := runProcess(t.Context(), launcher, nil, truePath)
	if err != nil {
		t.Fatal(err)
	}
	if u.PeakRSS == 0 || u.PeakRSS > 64<<20 {
		t.Errorf("true(1) peaked at %d bytes while the bench held 256 MiB; want its own few megabytes", u.PeakRSS)
	}
	if u.Wall <= 0 || u.CPU < 0 {
		t.Errorf("wall %v, CPU %v", u.Wall, u.CPU)
	}
	if _, err := runProcess(t.Context(), launcher, nil, "/nonexistent/program"); err == nil {
		t.Error("a program that could not start was measured")
	}
}
