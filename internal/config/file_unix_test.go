//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A config file that is not a regular file is refused before it is
// opened: a FIFO would block the open for ever, a device such as
// /dev/zero would be read until memory ran out.
func TestConfigFileMustBeRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, p := range []string{fifo, "/dev/zero", "/dev/null"} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			if _, err := os.Stat(p); err != nil {
				t.Skip(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := loadTest(t, loadCase{ConfigPath: p})
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute): // a guard against hanging, not a measure of speed
				// Unblock the reader so the test can end.
				if w, oerr := os.OpenFile(fifo, os.O_WRONLY, 0); oerr == nil {
					w.Close()
				}
				t.Fatalf("Load of %s did not return", p)
			}
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("err = %v, want %s refused as not a regular file", err, p)
			}
		})
	}
	// A symbolic link to a regular file is read.
	target := writeFile(t, dir, "real.yaml", "org: acme\n", 0o600)
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	s, err := loadTest(t, loadCase{ConfigPath: link})
	if err != nil || s.Org != "acme" {
		t.Errorf("through a symlink: org %q, err %v", s.Org, err)
	}
}
