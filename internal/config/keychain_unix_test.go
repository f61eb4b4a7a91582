//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package config

import (
	"errors"
	"net"
	"os/exec"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

// The ways a Linux machine has no Secret Service, as go-keyring reports
// them, are "unavailable"; a Secret Service that answers with a failure
// is not.
func TestKeychainUnreachableSecretService(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want error
	}{
		// This machine and CI: no session bus, no dbus-launch.
		{"no dbus-launch", &exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}, ErrKeychainUnavailable},
		{"dbus-launch without a display", &exec.ExitError{}, ErrKeychainUnavailable},
		{"bus socket gone", &net.OpError{Op: "dial", Net: "unix", Err: errors.New("connect: no such file or directory")}, ErrKeychainUnavailable},
		{"no address", errors.New("dbus: couldn't determine address of session bus"), ErrKeychainUnavailable},
		{"no keyring daemon", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, ErrKeychainUnavailable},
		{"keyring daemon cannot start", &dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited"}, ErrKeychainUnavailable},
		{"access denied", dbus.Error{Name: "org.freedesktop.DBus.Error.AccessDenied", Body: []any{"denied"}}, ErrKeychain},
		{"no reply", dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply"}, ErrKeychain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			failKeychain(t, c.err)
			if _, err := (SystemKeychain{}).Get("tokenctl:x", KeyAPIToken); !errors.Is(err, c.want) {
				t.Errorf("Get: %v, want %v", err, c.want)
			}
		})
	}
}
