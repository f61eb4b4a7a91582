package config

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateEndpoint(t *testing.T) {
	tests := []struct {
		raw  string
		want string // "" = accepted, else an error substring
	}{
		{"https://graphql.buildkite.com/v1", ""},
		{"https://api.buildkite.com", ""},
		{"HTTPS://api.buildkite.com", ""},
		{"https://10.0.0.5:8443/graphql", ""},
		{"http://localhost:8080/graphql", ""},
		{"http://LOCALHOST", ""},
		{"http://127.0.0.1:9000", ""},
		{"http://127.8.9.10", ""},
		{"http://[::1]:9000/v1", ""},
		{"http://api.buildkite.com", "must use https://; http:// is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1)"},
		{"http://10.0.0.5", "http:// is allowed only for loopback hosts"},
		{"http://localhost.evil.example", "http:// is allowed only for loopback hosts"},
		{"http://[::2]", "http:// is allowed only for loopback hosts"},
		{"ftp://api.buildkite.com", "must use https://"},
		{"api.buildkite.com", "must be a URL"},
		{"", "must be a URL"},
		{"://", "must be a URL"},
		{"https://", "has no host"},
		{"https:api.buildkite.com", "must be a URL"},
		{"https://user:pw@api.buildkite.com", "must not contain a user name or password"},
		{"https://api.buildkite.com/?x=1", "must not contain a query or fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := ValidateEndpoint(tt.raw)
			if tt.want == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidSetting) {
				t.Errorf("%v is not ErrInvalidSetting", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("error shows the password: %q", err)
			}
			if tt.raw != "" && !strings.Contains(err.Error(), "endpoint ") {
				t.Errorf("error %q does not name the endpoint", err)
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"override", map[string]string{"TOKENCTL_CONFIG": "/etc/tk.yaml", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/etc/tk.yaml"},
		{"xdg", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/tokenctl/config.yaml"},
		{"blank xdg ignored", map[string]string{"XDG_CONFIG_HOME": " ", "HOME": "/h"}, "/h/.config/tokenctl/config.yaml"},
		{"relative xdg ignored", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, "/h/.config/tokenctl/config.yaml"},
		{"home", map[string]string{"HOME": "/h"}, "/h/.config/tokenctl/config.yaml"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			if got, err := DefaultPath(); got != tt.want || err != nil {
				t.Errorf("DefaultPath = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}
