package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// readConfig makes the viper instance of one load and reads the config
// file at path into it, if the file exists. A missing file is not an
// error: most users configure through the environment. The file is
// decoded by configFormat, not viper's YAML decoder, so its rules and
// messages are tokenctl's own.
func readConfig(path string) (*viper.Viper, []string, error) {
	format := &configFormat{path: path}
	v := viper.NewWithOptions(viper.WithDecoderRegistry(format))
	if path == "" {
		return v, nil, nil
	}
	data, info, err := readConfigFile(path)
	if err != nil {
		return nil, nil, err
	}
	if info == nil {
		return v, nil, nil
	}
	// Windows reports synthetic permission bits, so the check means nothing there.
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		format.warnings = append(format.warnings, fmt.Sprintf(
			"config file %s is readable by other users (mode %04o); run chmod 600 %s", path, perm, path))
	}
	v.SetConfigType("yaml") // whatever TOKENCTL_CONFIG's file is called
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		if pe := (viper.ConfigParseError{}); errors.As(err, &pe) {
			return nil, nil, pe.Unwrap() // configFormat's own message
		}
		return nil, nil, fmt.Errorf("reading config file %s: %w", path, err)
	}
	return v, format.warnings, nil
}

// MaxConfigFile bounds what is read of the config file: a few settings
// take a few hundred bytes, and a wrong TOKENCTL_CONFIG (/dev/zero, a log)
// must fail at once instead of filling memory.
const MaxConfigFile = 1 << 20

// readConfigFile returns what the config file at path holds and its
// FileInfo, or a nil FileInfo when there is no such file. Only a regular
// file (or a symbolic link to one) is read, so a FIFO or a device never
// blocks or floods the read, and never more than MaxConfigFile bytes.
func readConfigFile(path string) ([]byte, fs.FileInfo, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading config file %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, nil, fmt.Errorf("config file %s is a directory", path)
	}
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("config file %s is not a regular file but a device, a pipe or a socket; "+
			"name a regular file (%s names the config file)", path, EnvConfigPath)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading config file %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading config file %s: %w", path, err)
	}
	if len(data) > MaxConfigFile {
		return nil, nil, fmt.Errorf("config file %s is larger than %d MiB, too large to be a config file; "+
			"name the right file (%s names the config file)", path, MaxConfigFile>>20, EnvConfigPath)
	}
	return data, info, nil
}

// configFormat decodes the config file for viper: a flat YAML mapping of
// setting keys to scalar values, each kept as written (viper's YAML
// decoder would turn 0x10 into 16 and 2024.10 into 2024.1). Unknown keys
// are left out with a warning; "key:" with nothing after it is unset.
type configFormat struct {
	path     string
	warnings []string
}

func (c *configFormat) Decoder(string) (viper.Decoder, error) { return c, nil }

func (c *configFormat) Decode(data []byte, values map[string]any) error {
	doc, err := parseDocument(c.path, data)
	if err != nil {
		return err
	}
	mapping := doc.Content[0]
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		k, v := mapping.Content[i], mapping.Content[i+1]
		key := strings.ToLower(k.Value)
		if _, ok := lookupKey(key); !ok && key != keyTokenEndpoint {
			c.warnings = append(c.warnings, fmt.Sprintf(
				"config file %s: unknown setting %s ignored (known settings: %s)", c.path, show(k.Value), knownKeysList()))
			continue
		}
		if _, dup := values[key]; dup {
			return fmt.Errorf("config file %s: %s is set more than once (line %d)", c.path, key, k.Line)
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("config file %s: %s must be a single value (line %d)", c.path, key, k.Line)
		}
		if v.Tag == "!!null" {
			continue // "key:" with nothing after it means unset
		}
		values[key] = v.Value
	}
	return nil
}

// parseDocument parses data as a YAML document whose top level is a mapping,
// returning a new empty mapping for an empty file. It decodes into a node,
// never into Go types, because yaml's type-mismatch errors quote the
// offending value, and a file holding just a token would then leak it.
func parseDocument(path string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config file %s is not valid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}, nil
	}
	if doc.Kind != yaml.DocumentNode || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config file %s must be a YAML mapping of setting: value lines", path)
	}
	return &doc, nil
}

// loadDocument reads the config file for editing; a missing file yields an
// empty document.
func loadDocument(path string) (*yaml.Node, error) {
	data, _, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	return parseDocument(path, data)
}

// findKey returns the index of key's key node in mapping, or -1. Matching
// ignores case because viper does when reading.
func findKey(mapping *yaml.Node, key string) int {
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if strings.EqualFold(mapping.Content[i].Value, key) {
			return i
		}
	}
	return -1
}

// Set validates value for key and stores it in the config file at path,
// creating the file (mode 0600) and its directories (mode 0700) as needed.
// Other keys and comments are kept. The write is atomic, so an interrupted
// Set never leaves a half-written file.
func Set(path, key, value string) error {
	if path == "" {
		return errors.New("no config file path: set TOKENCTL_CONFIG or HOME")
	}
	spec, ok := lookupKey(key)
	if !ok {
		return unknownKey(key)
	}
	var probe Settings
	if err := apply(&probe, origin{spec: spec}, value); err != nil {
		return err
	}
	return setValues(path, key, storedValue(&probe, key))
}

// setValues stores pairs of keys and already validated values in the
// config file at path in one write.
func setValues(path string, pairs ...any) error {
	doc, err := loadDocument(path)
	if err != nil {
		return err
	}
	mapping := doc.Content[0]
	for i := 0; i+1 < len(pairs); i += 2 {
		key := pairs[i].(string)
		var val yaml.Node
		if err := val.Encode(pairs[i+1]); err != nil {
			return fmt.Errorf("encoding %s: %w", key, err)
		}
		if j := findKey(mapping, key); j >= 0 {
			mapping.Content[j].Value = key
			mapping.Content[j+1] = &val
		} else {
			mapping.Content = append(mapping.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &val)
		}
	}
	return writeDocument(path, doc)
}

// Unset removes key from the config file. Keys the program does not know
// may be removed too, so a warned-about typo can be cleaned up.
func Unset(path, key string) error {
	if path == "" {
		return errors.New("no config file path: set TOKENCTL_CONFIG or HOME")
	}
	if strings.EqualFold(key, keyTokenEndpoint) {
		return invalidf("%s cannot be removed on its own: it ties the API token saved in the config file to its GraphQL endpoint; `tokenctl config unset %s` removes both", keyTokenEndpoint, KeyAPIToken)
	}
	_, known := lookupKey(key)
	doc, err := loadDocument(path)
	if err != nil {
		return err
	}
	mapping := doc.Content[0]
	i := findKey(mapping, key)
	if i < 0 {
		if known {
			return nil
		}
		return unknownKey(key)
	}
	mapping.Content = append(mapping.Content[:i], mapping.Content[i+2:]...)
	if key == KeyAPIToken { // the endpoint it was saved for goes with it
		if i := findKey(mapping, keyTokenEndpoint); i >= 0 {
			mapping.Content = append(mapping.Content[:i], mapping.Content[i+2:]...)
		}
	}
	return writeDocument(path, doc)
}

// storedValue is the canonical form of an already validated value.
func storedValue(s *Settings, key string) any {
	switch key {
	case KeyAPIToken:
		return s.APIToken.Reveal()
	case KeyPageSize:
		return s.PageSize
	case KeyConcurrency:
		return s.Concurrency
	}
	return s.display(key)
}

func writeDocument(path string, doc *yaml.Node) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encoding config file %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding config file %s: %w", path, err)
	}
	return writeAtomic(path, buf.Bytes())
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, so readers see the old file or the new one, never a mix, and
// the token is never in a file with looser permissions than 0600.
func writeAtomic(path string, data []byte) (err error) {
	target := path
	// Write through a symlink (dotfile managers use them) instead of
	// replacing the link with a regular file.
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating config directory %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing config file %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("writing config file %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing config file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing config file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing config file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("writing config file %s: %w", path, err)
	}
	return nil
}
