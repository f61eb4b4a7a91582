// Package manpages is tokenctl's one documentation generator. From the
// command tree it writes a man page (section 1) per command and a Markdown
// reference page per command (docs/reference/), so neither drifts from
// --help; from the documented tables of internal/exitcode and
// internal/config it writes the EXIT STATUS, ENVIRONMENT and FILES sections
// of the man pages and the generated tables of docs/contracts/, so the man
// pages and the documentation say the same. It lives outside the tokenctl
// binary: the Markdown-to-roff renderer would add its package
// initialisation to every tokenctl start-up. `make man`, `make docs` and
// the release assets run it through cmd/tokenctl-man.
package manpages

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/version"
)

// commandTree builds tokenctl's commands to be walked, never executed:
// settings are read from the environment and the config file only when a
// command runs, so nothing of the generating machine's leaks into a page.
func commandTree(date time.Time) *cobra.Command {
	root := cli.NewRootCmd(&cmdutil.Factory{
		IO:  iostreams.System(),
		Now: func() time.Time { return date },
	})
	root.DisableAutoGenTag = true
	return root
}

// documented returns every command that gets a page, parents first: the
// available commands that are not help topics.
func documented(root *cobra.Command) []*cobra.Command {
	cmds := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			cmds = append(cmds, documented(c)...)
		}
	}
	return cmds
}

// dashed is a command's page name: "tokenctl-policy-show".
func dashed(c *cobra.Command) string { return strings.ReplaceAll(c.CommandPath(), " ", "-") }

// Write writes a man page for every visible command of tokenctl into dir,
// creating it if needed (tokenctl.1, tokenctl-revoke.1, …), dated date, and
// returns how many it wrote.
func Write(dir string, date time.Time) (int, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("cannot create the man page directory: %w", err)
	}
	cmds := documented(commandTree(date))
	for _, c := range cmds {
		page := md2man.Render(manMarkdown(c, date))
		if err := os.WriteFile(filepath.Join(dir, dashed(c)+".1"), page, 0o644); err != nil { //nolint:gosec // a man page is meant to be read by everyone
			return 0, fmt.Errorf("writing man pages: %w", err)
		}
	}
	return len(cmds), nil
}

// manMarkdown is a command's man page in go-md2man's Markdown.
func manMarkdown(c *cobra.Command, date time.Time) []byte {
	c.InitDefaultHelpFlag()
	name := dashed(c)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%% %q %q %q %q %q\n", strings.ToUpper(name), "1", date.Format("Jan 2006"), "tokenctl "+version.Version, "tokenctl manual")
	fmt.Fprintf(&b, "# NAME\n%s \\- %s\n\n", name, c.Short)
	fmt.Fprintf(&b, "# SYNOPSIS\n**%s**\n\n", c.UseLine())
	description := c.Long
	if description == "" {
		description = c.Short
	}
	fmt.Fprintf(&b, "# DESCRIPTION\n%s\n\n", description)
	if fl := c.NonInheritedFlags(); fl.HasAvailableFlags() {
		b.WriteString("# OPTIONS\n")
		writeManFlags(&b, c, false)
	}
	if fl := c.InheritedFlags(); fl.HasAvailableFlags() {
		b.WriteString("# OPTIONS INHERITED FROM PARENT COMMANDS\n")
		writeManFlags(&b, c, true)
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "# EXAMPLES\n```\n%s\n```\n\n", c.Example)
	}
	b.WriteString("# EXIT STATUS\n")
	b.WriteString(manExitStatus())
	if c.HasParent() {
		b.WriteString("# ENVIRONMENT\nThe environment variables tokenctl reads are listed in **tokenctl**(1).\n\n")
		b.WriteString("# FILES\nThe files tokenctl reads and writes are listed in **tokenctl**(1).\n\n")
	} else {
		b.WriteString("# ENVIRONMENT\n")
		b.WriteString(manEnvironment())
		b.WriteString("# FILES\n")
		b.WriteString(manFiles())
	}
	var also []string
	if c.HasParent() {
		also = append(also, fmt.Sprintf("**%s**(1)", dashed(c.Parent())))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			also = append(also, fmt.Sprintf("**%s**(1)", dashed(sub)))
		}
	}
	if len(also) > 0 {
		fmt.Fprintf(&b, "# SEE ALSO\n%s\n", strings.Join(also, ", "))
	}
	return b.Bytes()
}

// writeManFlags lists a command's own or inherited flags, each as a term
// and its usage.
func writeManFlags(b *bytes.Buffer, c *cobra.Command, inherited bool) {
	fl := c.NonInheritedFlags()
	if inherited {
		fl = c.InheritedFlags()
	}
	fl.VisitAll(func(f *pflagFlag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		name, usage := unquoteUsage(f)
		term := "**--" + f.Name + "**"
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			term = "**-" + f.Shorthand + "**, " + term
		}
		if name != "" {
			term += " *" + name + "*"
		}
		if def := flagDefault(f); def != "" {
			usage += " (default " + def + ")"
		}
		fmt.Fprintf(b, "%s\n: %s\n\n", term, escapeMan(usage))
	})
}

// Date is the date to put in the pages: SOURCE_DATE_EPOCH when set, so that
// packaged pages are reproducible, else now.
func Date(lookupEnv func(string) (string, bool), now time.Time) (time.Time, error) {
	if v, ok := lookupEnv("SOURCE_DATE_EPOCH"); ok && v != "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: must be a number of seconds since 1970", v)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	return now.UTC(), nil
}
