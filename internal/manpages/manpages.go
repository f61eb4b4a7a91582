// Package manpages writes tokenctl's man pages (section 1) from its command
// tree, so they never drift from --help. It lives outside the tokenctl
// binary: cobra/doc pulls in a Markdown parser whose package initialisation
// every tokenctl start-up would otherwise pay for. `make man` and the
// release assets run it through cmd/tokenctl-man.
package manpages

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/tokenctl/tokenctl/internal/cli"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/version"
)

// Write writes a page for every visible command of tokenctl into dir,
// creating it if needed (tokenctl.1, tokenctl-revoke.1, …), dated date, and
// returns how many it wrote.
func Write(dir string, date time.Time) (int, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("cannot create the man page directory: %w", err)
	}
	// The tree is only walked, never executed: the factory's environment is
	// empty so that nothing of the generating machine's leaks into a page.
	root := cli.NewRootCmd(&cli.Factory{
		IO:  iostreams.System(),
		Env: func(string) (string, bool) { return "", false },
		Now: func() time.Time { return date },
	})
	// The tag would stamp every page with the generation time.
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{
		Section: "1",
		Date:    &date,
		Source:  "tokenctl " + version.Version,
		Manual:  "tokenctl manual",
	}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return 0, fmt.Errorf("writing man pages: %w", err)
	}
	return countPages(root), nil
}

// countPages counts the pages doc.GenManTree writes: one per available
// command that is not a help topic.
func countPages(cmd *cobra.Command) int {
	n := 1
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			n += countPages(c)
		}
	}
	return n
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
