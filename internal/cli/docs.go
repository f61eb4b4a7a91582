package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/version"
)

// NewCmdDocs generates reference documentation from the command tree. It is
// hidden: it is for packagers and `make man`, not for day-to-day use, and
// it leaves itself out of what it generates.
func NewCmdDocs(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "docs",
		Short:   "Generate reference documentation",
		Long:    "Generate reference documentation for every tokenctl command from the command tree itself, so it never drifts from --help.",
		Example: `  tokenctl docs man --dir man/`,
		Hidden:  true,
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newCmdDocsMan(f))
	return cmd
}

func newCmdDocsMan(f *Factory) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man --dir DIR",
		Short: "Write a man page (section 1) for every command into DIR",
		Long: `Write a man page (section 1) for every visible command into DIR, creating
it if needed: tokenctl.1, tokenctl-revoke.1 and so on. Needs no
configuration and sends nothing over the network.

The date in the pages is SOURCE_DATE_EPOCH when set (for reproducible
builds), else today.`,
		Example: `  tokenctl docs man --dir man/
  man -l man/tokenctl-revoke.1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return exitcode.New(exitcode.Usage, errors.New("no output directory: pass --dir DIR"))
			}
			date, err := manPageDate(f)
			if err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return exitcode.New(exitcode.Usage, fmt.Errorf("cannot create the man page directory: %w", err))
			}
			root := cmd.Root()
			// The tag would stamp every page with the generation time.
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{
				Section: "1",
				Date:    &date,
				Source:  "tokenctl " + version.Version,
				Manual:  "tokenctl manual",
			}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("writing man pages: %w", err)
			}
			fmt.Fprintf(f.IO.ErrOut, "Wrote %d man pages to %s\n", countManPages(root), dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write the pages into `DIR`")
	return cmd
}

// countManPages counts the pages doc.GenManTree writes: one per available
// command that is not a help topic.
func countManPages(cmd *cobra.Command) int {
	n := 1
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			n += countManPages(c)
		}
	}
	return n
}

// manPageDate honours SOURCE_DATE_EPOCH (read through the factory, as all
// environment is) so packaged pages are reproducible.
func manPageDate(f *Factory) (time.Time, error) {
	if v, ok := f.Env("SOURCE_DATE_EPOCH"); ok && v != "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: must be a number of seconds since 1970", v)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	return f.Now().UTC(), nil
}
