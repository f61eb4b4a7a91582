package manpages

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// referenceDate stands in for the date in the reference's command tree,
// which shows no date: the reference must not change from day to day.
var referenceDate = time.Unix(0, 0).UTC()

// reference renders the Markdown command reference: one page per command,
// by file name ("tokenctl-revoke.md").
func reference() map[string][]byte {
	pages := map[string][]byte{}
	for _, c := range documented(commandTree(referenceDate)) {
		pages[dashed(c)+".md"] = referencePage(c)
	}
	return pages
}

// referencePage is a command's page of the Markdown reference.
func referencePage(c *cobra.Command) []byte {
	c.InitDefaultHelpFlag()
	var b bytes.Buffer
	b.WriteString("<!-- Generated from the command's help by `make docs`: do not edit. -->\n\n")
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", c.CommandPath(), c.Short)
	fmt.Fprintf(&b, "```\n%s\n```\n\n", c.UseLine())
	if c.Long != "" {
		fmt.Fprintf(&b, "```text\n%s\n```\n\n", strings.TrimRight(c.Long, "\n"))
	}
	if fl := c.NonInheritedFlags(); fl.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Options\n\n```\n%s```\n\n", fl.FlagUsages())
	}
	if fl := c.InheritedFlags(); fl.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Options inherited from parent commands\n\n```\n%s```\n\n", fl.FlagUsages())
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "## Examples\n\n```sh\n%s\n```\n\n", strings.TrimRight(c.Example, "\n"))
	}
	b.WriteString("## Exit status\n\nSee [exit codes](../contracts/exit-codes.md); " +
		"the environment and files are in [configuration](../contracts/configuration.md).\n\n")
	b.WriteString("## See also\n\n")
	if c.HasParent() {
		p := c.Parent()
		fmt.Fprintf(&b, "- [%s](%s.md): %s\n", p.CommandPath(), dashed(p), p.Short)
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			fmt.Fprintf(&b, "- [%s](%s.md): %s\n", sub.CommandPath(), dashed(sub), sub.Short)
		}
	}
	return b.Bytes()
}

// WriteDocs writes the generated documentation under docsDir: the command
// reference in reference/ (removing pages of commands that are gone) and
// the generated tables of contracts/.
func WriteDocs(docsDir string) error {
	dir := filepath.Join(docsDir, "reference")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("cannot create the reference directory: %w", err)
	}
	pages := reference()
	old, err := filepath.Glob(filepath.Join(dir, "tokenctl*.md"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if _, ok := pages[filepath.Base(path)]; !ok {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	for name, page := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), page, 0o644); err != nil { //nolint:gosec // documentation
			return err
		}
	}
	return updateTables(docsDir)
}

// Stale returns the generated documents under docsDir that differ from what
// WriteDocs would write (missing, changed, or a page of a command that is
// gone), as paths under docsDir.
func Stale(docsDir string) ([]string, error) {
	var stale []string
	pages := reference()
	old, err := filepath.Glob(filepath.Join(docsDir, "reference", "tokenctl*.md"))
	if err != nil {
		return nil, err
	}
	for _, path := range old {
		if _, ok := pages[filepath.Base(path)]; !ok {
			stale = append(stale, filepath.Join("reference", filepath.Base(path)))
		}
	}
	for name, page := range pages {
		got, err := os.ReadFile(filepath.Join(docsDir, "reference", name))
		if err != nil || !bytes.Equal(got, page) {
			stale = append(stale, filepath.Join("reference", name))
		}
	}
	for _, name := range contractFiles {
		path := filepath.Join(docsDir, "contracts", name)
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		filled, _, err := fillTables(path, text)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(filled, text) {
			stale = append(stale, filepath.Join("contracts", name))
		}
	}
	slices.Sort(stale)
	return stale, nil
}
