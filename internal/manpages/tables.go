package manpages

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// The documentation's tables are rendered from the same Go tables as the
// man pages' sections. Their Text fields hold `code spans` and no other
// Markdown, which both renderers keep: GitHub's as code, go-md2man's in bold.

// manExitStatus is the EXIT STATUS section's body.
func manExitStatus() string {
	var b strings.Builder
	for _, m := range exitcode.Documented {
		fmt.Fprintf(&b, "**%d**\n: %s\n\n", m.Code, manText(m.Text))
	}
	fmt.Fprintf(&b, "%s\n\n", manText(exitcode.Precedence))
	return b.String()
}

// manEnvironment is the ENVIRONMENT section's body.
func manEnvironment() string {
	var b strings.Builder
	for _, e := range config.Environment() {
		fmt.Fprintf(&b, "**%s**\n: %s\n\n", escapeMan(e.Name), manText(e.Text))
	}
	return b.String()
}

// manFiles is the FILES section's body.
func manFiles() string {
	var b strings.Builder
	for _, f := range config.Files() {
		fmt.Fprintf(&b, "%s\n: %s\n\n", manText(f.Path), manText(f.Text))
	}
	return b.String()
}

// manText escapes a documented text for go-md2man, keeping its code spans.
func manText(s string) string {
	parts := strings.Split(s, "`")
	for i := range parts {
		if i%2 == 0 {
			parts[i] = escapeMan(parts[i])
		}
	}
	return strings.Join(parts, "`")
}

// cell makes a documented text fit a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// code is s as a code span in a table cell, or nothing for "".
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + cell(s) + "`"
}

// tables are the generated parts of docs/contracts/, by name: the text
// between `<!-- BEGIN GENERATED name -->` and `<!-- END GENERATED name -->`.
var tables = map[string]func() string{
	"exit-codes": func() string {
		var b strings.Builder
		b.WriteString("| code | meaning |\n| --- | --- |\n")
		for _, m := range exitcode.Documented {
			fmt.Fprintf(&b, "| %d | %s |\n", m.Code, cell(m.Text))
		}
		fmt.Fprintf(&b, "\n%s\n", exitcode.Precedence)
		return b.String()
	},
	"settings": func() string {
		var b strings.Builder
		b.WriteString("| key | flag | environment | default | what it is |\n| --- | --- | --- | --- | --- |\n")
		for _, s := range config.DocumentedSettings() {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", code(s.Key), code(s.Flag), code(s.Env), code(s.Default), cell(s.Text))
		}
		return b.String()
	},
	"environment": func() string {
		var b strings.Builder
		b.WriteString("| variable | meaning |\n| --- | --- |\n")
		for _, e := range config.Environment() {
			fmt.Fprintf(&b, "| %s | %s |\n", code(e.Name), cell(e.Text))
		}
		return b.String()
	},
	"files": func() string {
		var b strings.Builder
		b.WriteString("| file | what it is |\n| --- | --- |\n")
		for _, f := range config.Files() {
			fmt.Fprintf(&b, "| %s | %s |\n", cell(f.Path), cell(f.Text))
		}
		return b.String()
	},
}

// contractFiles are the documents under docs/contracts/ that hold
// generated tables.
var contractFiles = []string{"exit-codes.md", "configuration.md"}

const (
	beginMarker = "<!-- BEGIN GENERATED %s: from the Go tables; edit those, then run `make docs` -->\n"
	endMarker   = "<!-- END GENERATED %s -->"
)

// fillTables returns text with every generated table replaced by what its
// Go table says now, and the names of the tables it holds.
func fillTables(file string, text []byte) ([]byte, []string, error) {
	var out bytes.Buffer
	var names []string
	rest := text
	for {
		i := bytes.Index(rest, []byte("<!-- BEGIN GENERATED "))
		if i < 0 {
			out.Write(rest)
			return out.Bytes(), names, nil
		}
		out.Write(rest[:i])
		rest = rest[i:]
		name, _, ok := bytes.Cut(rest[len("<!-- BEGIN GENERATED "):], []byte(":"))
		render := tables[string(name)]
		if !ok || render == nil {
			return nil, nil, fmt.Errorf("%s: a generated table without a known name at byte %d", file, len(text)-len(rest))
		}
		end := fmt.Sprintf(endMarker, name)
		j := bytes.Index(rest, []byte(end))
		if j < 0 {
			return nil, nil, fmt.Errorf("%s: generated table %s has no %q", file, name, end)
		}
		fmt.Fprintf(&out, beginMarker, name)
		out.WriteString(render())
		out.WriteString(end)
		rest = rest[j+len(end):]
		names = append(names, string(name))
	}
}

// updateTables rewrites the generated tables of docs/contracts/ under
// docsDir, and fails when one of them is missing from its document.
func updateTables(docsDir string) error {
	seen := map[string]bool{}
	for _, name := range contractFiles {
		path := filepath.Join(docsDir, "contracts", name)
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		filled, names, err := fillTables(path, text)
		if err != nil {
			return err
		}
		for _, n := range names {
			seen[n] = true
		}
		if !bytes.Equal(filled, text) {
			if err := os.WriteFile(path, filled, 0o644); err != nil { //nolint:gosec // documentation
				return err
			}
		}
	}
	for name := range tables {
		if !seen[name] {
			return fmt.Errorf("no document under %s holds the generated table %s (%s)", filepath.Join(docsDir, "contracts"), name,
				strconv.Quote(fmt.Sprintf(beginMarker, name)))
		}
	}
	return nil
}
