package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/redact"
	"go.yaml.in/yaml/v3"
)

func TestSecretNeverPrintsItsValue(t *testing.T) {
	const value = "bkua_SECRETVALUE0123456789"
	sec := redact.Secret(value)
	settings := Settings{Org: "acme", APIToken: sec}
	renders := map[string]func() (string, error){
		"%v":            func() (string, error) { return fmt.Sprintf("%v", sec), nil },
		"%s":            func() (string, error) { return fmt.Sprintf("%s", sec), nil },
		"%+v":           func() (string, error) { return fmt.Sprintf("%+v", sec), nil },
		"%#v":           func() (string, error) { return fmt.Sprintf("%#v", sec), nil },
		"%q":            func() (string, error) { return fmt.Sprintf("%q", sec), nil },
		"%x":            func() (string, error) { return fmt.Sprintf("%x", sec), nil },
		"%X":            func() (string, error) { return fmt.Sprintf("%X", sec), nil },
		"%d":            func() (string, error) { return fmt.Sprintf("%d", sec), nil },
		"%10.3s":        func() (string, error) { return fmt.Sprintf("%10.3s", sec), nil },
		"Print":         func() (string, error) { return fmt.Sprint(sec), nil },
		"struct %v":     func() (string, error) { return fmt.Sprintf("%v", settings), nil },
		"struct %+v":    func() (string, error) { return fmt.Sprintf("%+v", settings), nil },
		"struct %#v":    func() (string, error) { return fmt.Sprintf("%#v", settings), nil },
		"pointer %+v":   func() (string, error) { return fmt.Sprintf("%+v", &settings), nil },
		"slice %v":      func() (string, error) { return fmt.Sprintf("%v", []redact.Secret{sec}), nil },
		"String":        func() (string, error) { return sec.String(), nil },
		"GoString":      func() (string, error) { return sec.GoString(), nil },
		"json":          func() (string, error) { b, err := json.Marshal(sec); return string(b), err },
		"json struct":   func() (string, error) { b, err := json.Marshal(settings); return string(b), err },
		"yaml":          func() (string, error) { b, err := yaml.Marshal(sec); return string(b), err },
		"yaml struct":   func() (string, error) { b, err := yaml.Marshal(settings); return string(b), err },
		"text":          func() (string, error) { b, err := sec.MarshalText(); return string(b), err },
		"slog":          func() (string, error) { return slogLine(sec), nil },
		"entries":       func() (string, error) { return fmt.Sprint(settings.Entries()), nil },
		"error wrapped": func() (string, error) { return fmt.Errorf("token %v", sec).Error(), nil },
	}
	for name, render := range renders {
		t.Run(name, func(t *testing.T) {
			out, err := render()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out, "SECRETVALUE") || strings.Contains(strings.ToLower(out), strings.ToLower(fmt.Sprintf("%x", value))) {
				t.Errorf("value leaked: %s", out)
			}
			if !strings.Contains(out, "[redacted]") {
				t.Errorf("mask missing: %s", out)
			}
		})
	}
	if sec.Reveal() != value {
		t.Errorf("Reveal = %q", sec.Reveal())
	}
}

func slogLine(v any) string {
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("loaded", "token", v)
	return buf.String()
}
