package revoke

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/revoke"
	"github.com/tokenctl/tokenctl/internal/tokenfile"
)

// bulkHelp documents the bulk inputs in `revoke --help`.
var bulkHelp = `Many tokens at once:
  --from-file FILE   one token uuid or GraphQL id per line (blank lines and
                     # comments ignored), or the JSON of "tokens list -o
                     json"; - reads standard input
  filters            the filters of "tokens list" select the tokens to
                     revoke; this always needs confirmation: a question on
                     a terminal, --yes otherwise (try --dry-run first)

` + cmdutil.SelectorHelp

// maxTokenFile bounds what --from-file reads, so a wrong file (a log,
// /dev/zero) fails fast instead of filling memory. 32 MiB holds the JSON
// listing of some 50,000 tokens.
const maxTokenFile = 32 << 20

// addBulkFlags registers --from-file and the filters on revoke's flags.
func addBulkFlags(fl *pflag.FlagSet, b *bulkOptions) {
	fl.StringVar(&b.FromFile, "from-file", "", "revoke the tokens listed in `FILE` (- for standard input): one uuid or id per line, or tokens list JSON")
	cmdutil.AddSelectorFlags(fl, &b.Select)
}

// requested reports whether any bulk input was given.
func (b *bulkOptions) requested() bool {
	return b.fromFileSet || b.Select.Given
}

// record notes which bulk flags the command line gave.
func (b *bulkOptions) record(fl *pflag.FlagSet) {
	b.fromFileSet = fl.Changed("from-file")
	b.Select.Record(fl)
}

// completeBulk parses the filters and reads --from-file into listed,
// unless the command line already rules them out.
func (o *RevokeOptions) completeBulk() {
	b := &o.Bulk
	if b.Select.Given {
		b.filter, b.filterErr = b.Select.Filter()
		b.selecting = true
		return // filters select the tokens themselves: a file would be refused
	}
	if !b.fromFileSet || strings.TrimSpace(b.FromFile) == "" || o.Leaked.requested() ||
		(b.FromFile == inputfile.Stdin && o.apiTokenFile == inputfile.Stdin) {
		return
	}
	file, err := readTokenFile(b.FromFile, o.IO.In)
	if err != nil {
		b.fileErr = err
		return
	}
	b.listed = file.Tokens
	if org := file.Organization; org != nil {
		b.listedFrom = &buildkite.Organization{ID: org.ID, UUID: org.UUID, Slug: org.Slug}
	}
}

// validateBulk checks the bulk inputs, all before any network call.
func (o *RevokeOptions) validateBulk() error {
	b := &o.Bulk
	usage := func(format string, args ...any) error {
		return exitcode.New(exitcode.Usage, fmt.Errorf(format, args...))
	}
	if b.Select.Given {
		if len(o.TokenArgs) > 0 || b.fromFileSet {
			return usage("filters such as --stale select the tokens themselves: do not combine them with --token or --from-file (list the selection with `tokenctl tokens list` and the same filters)")
		}
		if b.filterErr != nil {
			return b.filterErr
		}
		if b.filter.IsZero() {
			return usage("the filters given select every token of the organization; name at least one condition, e.g. --stale 180d")
		}
	}
	if !b.fromFileSet {
		return nil
	}
	if strings.TrimSpace(b.FromFile) == "" {
		return usage("--from-file: empty file name: give a FILE, or - for standard input")
	}
	if o.apiTokenFile == inputfile.Stdin && b.FromFile == inputfile.Stdin {
		return usage("--api-token-file - and --from-file - both want standard input; put one of them in a file")
	}
	if b.fileErr != nil {
		return exitcode.New(exitcode.Usage, b.fileErr)
	}
	return nil
}

// readTokenFile reads and parses --from-file; errors name the file.
func readTokenFile(path string, in io.Reader) (tokenfile.File, error) {
	source := inputfile.Describe("--from-file", path)
	data, err := inputfile.Read(path, in, maxTokenFile, "tokens")
	if errors.Is(err, inputfile.ErrTooLarge) {
		return tokenfile.File{}, fmt.Errorf("%s: larger than %d MiB; split it into several runs", source, maxTokenFile>>20)
	}
	if err != nil {
		return tokenfile.File{}, fmt.Errorf("%s: %w", source, err)
	}
	file, err := tokenfile.ParseFile(data)
	if err != nil {
		return tokenfile.File{}, fmt.Errorf("%s: %w", source, err)
	}
	return file, nil
}

// checkListedFrom refuses, before anything is sent, a --from-file listed
// from another organization than the plan's (exit 2).
func (o *RevokeOptions) checkListedFrom(ctx context.Context, client *buildkite.Client, plan *revoke.Plan) error {
	if o.Bulk.listedFrom == nil {
		return nil
	}
	err := revoke.CheckListedFrom(ctx, client, plan, *o.Bulk.listedFrom)
	var other *revoke.OtherOrganizationError
	if !errors.As(err, &other) {
		return err
	}
	acting := document.OrgName(other.Acting)
	hint := "pass --org " + document.OrgName(other.Listed)
	if document.OrgName(other.Listed) == "" {
		// A file that names its organization by uuid alone gives nothing
		// --org accepts: say which organization, and what to pass.
		hint = "pass that organization's slug with --org (the file names it by uuid " + other.Listed.UUID + ")"
	}
	return exitcode.New(exitcode.Usage, fmt.Errorf("--from-file %s: %w (%s): nothing was sent; to revoke these tokens from the organization they were listed from, %s, or list %s's own tokens with `tokenctl tokens list --org %s -o json`",
		o.Bulk.FromFile, err, o.orgSource(), hint, acting, acting))
}

// orgSource says where the run's organization came from, for messages.
func (o *RevokeOptions) orgSource() string {
	switch o.Settings.Sources[config.KeyOrg] {
	case config.SourceEnv:
		return "from " + config.EnvVar(config.KeyOrg)
	case config.SourceConfig:
		return "from the config file " + o.Settings.ConfigFile
	}
	return "from --org"
}

// selectFunc is the revoke.Request.Select of a selection by filter, judged
// at now; nil when tokens are named.
func (b *bulkOptions) selectFunc(now time.Time) func(buildkite.Token) bool {
	if !b.selecting {
		return nil
	}
	f := b.filter
	return func(t buildkite.Token) bool { return f.Match(t, now) }
}

// revokeProgress draws a progress bar on stderr while mutations run, on a
// terminal only; it is driven by Executor.OnResult and erased when done so
// that the report follows on a clean screen.
type revokeProgress struct {
	line *progressLine
}

// newRevokeProgress returns nil (no bar) unless stderr is a terminal and
// something will be sent.
func newRevokeProgress(io *iostreams.IOStreams, plans []*revoke.Plan, dryRun bool) *revokeProgress {
	items, pending := 0, 0
	for _, p := range plans {
		items += len(p.Items)
		pending += len(p.Pending())
	}
	if dryRun || !io.IsStderrTTY() || pending == 0 {
		return nil
	}
	return &revokeProgress{line: newProgressLine(io.ProgressOut(), items)}
}

// onResult advances the bar; Executor calls it one result at a time.
func (p *revokeProgress) onResult(revoke.Result) {
	if p != nil {
		p.line.add()
	}
}

// finish erases the bar.
func (p *revokeProgress) finish() {
	if p != nil {
		p.line.finish()
	}
}
