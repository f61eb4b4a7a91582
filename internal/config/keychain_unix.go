//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package config

import (
	"errors"
	"net"
	"os/exec"
	"strings"

	dbus "github.com/godbus/dbus/v5"
)

// keychainUnreachable reports whether err says that no Secret Service
// could be reached, as opposed to one that answered with a failure. These
// are the platforms (go-keyring's build constraint) where the keychain is
// the Secret Service on the D-Bus session bus: there is none on a headless
// machine or in a container, which is where CI runs.
func keychainUnreachable(err error) bool {
	var answer dbus.Error
	if errors.As(err, &answer) {
		return secretServiceMissing(answer.Name)
	}
	var answerPtr *dbus.Error
	if errors.As(err, &answerPtr) {
		return secretServiceMissing(answerPtr.Name)
	}
	// No session bus: its address could not be found and dbus-launch is
	// missing or failed (no display), or its socket does not answer.
	var execErr *exec.Error
	var exitErr *exec.ExitError
	var netErr net.Error
	return errors.As(err, &execErr) || errors.As(err, &exitErr) || errors.As(err, &netErr) ||
		strings.HasPrefix(err.Error(), "dbus: couldn't determine address of session bus")
}

// secretServiceMissing: the session bus answered that nothing provides
// org.freedesktop.secrets (no keyring daemon installed or running).
func secretServiceMissing(name string) bool {
	switch name {
	case "org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.DBus.Error.NoServer":
		return true
	}
	return strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn.")
}
