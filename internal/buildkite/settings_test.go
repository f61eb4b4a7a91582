package buildkite_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// A 422 is shown as the field and Buildkite's reason, in either shape of
// error body, and classified as invalid input.
func TestUpdateAPISettingsValidationError(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			srv := emulatortest.Start(t, emulator.Options{Fixture: emulatortest.SettingsFixture(t), ErrorWording: w})
			c := newClient(srv, emulatortest.SettingsToken, 0)
			_, err := c.UpdateAPISettings(t.Context(), "acme", buildkite.APISettingsPatch{
				buildkite.FieldAllowedIPAddresses: "10.0.0.0/33", buildkite.FieldRevokeInactiveTokensDays: 45,
			})
			var v *buildkite.ValidationError
			if !errors.As(err, &v) || buildkite.KindOf(err) != buildkite.KindInvalid {
				t.Fatalf("err = %v", err)
			}
			if len(v.Fields) != 2 || v.Fields[0].Field != "allowed_ip_addresses" || !strings.Contains(v.Fields[0].Reason, "10.0.0.0/33") ||
				v.Fields[1].Field != "revoke_inactive_tokens_after_days" || !strings.Contains(v.Fields[1].Reason, "45") {
				t.Errorf("fields = %+v", v.Fields)
			}
			if !strings.Contains(err.Error(), "allowed_ip_addresses: ") {
				t.Errorf("message does not name the field: %v", err)
			}
		})
	}
}

// The refusals the settings endpoint answers come back with the kind a
// user acts on.
func TestAPISettingsRefusals(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Fixture: emulatortest.SettingsFixture(t)})
	c := newClient(srv, emulatortest.SettingsToken, 0)
	for slug, want := range map[string]buildkite.Kind{
		"nope":    buildkite.KindNotFound,
		"initech": buildkite.KindForbidden,
		"globex":  buildkite.KindForbidden,
	} {
		if _, err := c.APISettings(t.Context(), slug); buildkite.KindOf(err) != want {
			t.Errorf("%s: err = %v, want kind %v", slug, err, want)
		}
	}
	s, err := c.APISettings(t.Context(), "acme")
	if err != nil || s.RevokeInactiveTokensAfterDays == nil || *s.RevokeInactiveTokensAfterDays != 90 || s.Features == nil || s.Features.APIIPAllowList == nil || !*s.Features.APIIPAllowList {
		t.Errorf("acme = %+v, %v", s, err)
	}
}
