package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/cli"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// Settings are what tokenctl runs with in every scenario.
type Settings struct {
	PageSize    int // tokens per listing request; 0 means tokenctl's default
	Concurrency int // mutations in flight; 0 means tokenctl's default
}

// Page is the page size in effect.
func (s Settings) Page() int {
	if s.PageSize > 0 {
		return s.PageSize
	}
	return buildkite.DefaultPageSize
}

// InFlight is the concurrency in effect.
func (s Settings) InFlight() int {
	if s.Concurrency > 0 {
		return s.Concurrency
	}
	return config.DefaultConcurrency
}

// Sizes are the organization and batch sizes the scenarios use.
type Sizes struct {
	SmallOrg   int // single revoke, token on the first page
	LargeOrg   int // single revoke, token on the last page; full listing
	BulkOrg    int // bulk revoke: organization size
	BulkTokens int // bulk revoke: tokens revoked
	CheckOrg   int // check: organization size
	CheckUsers int // check: members owning its tokens
}

// DefaultSizes are the sizes `make bench` reports.
func DefaultSizes() Sizes {
	return Sizes{SmallOrg: 50, LargeOrg: 5000, BulkOrg: 2000, BulkTokens: 100, CheckOrg: 5000, CheckUsers: 1000}
}

// Scenario is one job, done one way.
type Scenario struct {
	Name       string
	OrgTokens  int
	OrgMembers int // generated members owning the tokens; 0 for none
	// Baseline marks the naive ways of doing a job that tokenctl is
	// compared with, Short naming them in comparisons; Against names the
	// baselines a tokenctl scenario is compared with.
	Baseline bool
	Short    string
	Against  []string

	// targets picks the tokens to revoke (none for a listing).
	targets func(e *Emulator) []string
	// floor is the fewest round trips, one after another, the job needs
	// the way this scenario does it.
	floor func(s Settings, e *Emulator, targets []string) int
	run   func(ctx context.Context, r *runner, targets []string) error
	// prepare, when set, runs before the measured run, against the same
	// emulator and cache; what it sends is not counted.
	prepare func(ctx context.Context, r *runner, targets []string) error
}

// Scenario names, for Against and for the checks.
const (
	NameSingleSmall = "revoke 1 token (slug + uuid), first page"
	NameSingleLarge = "revoke 1 token (slug + uuid), last page"
	NameSingleIDs   = "revoke 1 token (org id + token id)"
	NameRepeatIDs   = "revoke 1 token (org id + token id), identity remembered"
	NameBulk        = "bulk revoke"
	NameNaiveBulk   = "naive loop: list all, then revoke, per token"
	NameLoopBulk    = "shell loop: one `tokenctl revoke` per token"
	NameList        = "list every token"
	NameCheck       = "check against the default policy"
)

// Scenarios are the jobs `make bench` measures, tokenctl's way and the
// naive ways, in the order they are reported.
func Scenarios(sz Sizes) []*Scenario {
	bulkTargets := func(e *Emulator) []string { return spread(e.Targets(), sz.BulkTokens) }
	last := func(e *Emulator) []string { t := e.Targets(); return t[len(t)-1:] }
	return []*Scenario{
		{Name: NameSingleSmall, OrgTokens: sz.SmallOrg, targets: last, floor: batchFloor, run: runRevoke},
		{Name: NameSingleLarge, OrgTokens: sz.LargeOrg, targets: last, floor: batchFloor, run: runRevoke},
		{Name: NameSingleIDs, OrgTokens: sz.LargeOrg, targets: last, floor: batchFloor, run: runRevokeByIDs},
		{Name: NameRepeatIDs, OrgTokens: sz.LargeOrg, targets: last, floor: rememberedIDsFloor, run: runRevokeByIDs, prepare: dryRunByIDs},
		{Name: NameBulk, OrgTokens: sz.BulkOrg, Against: []string{NameNaiveBulk, NameLoopBulk}, targets: bulkTargets, floor: batchFloor, run: runRevoke},
		{Name: NameNaiveBulk, OrgTokens: sz.BulkOrg, Baseline: true, Short: "naive loop", targets: bulkTargets, floor: naiveFloor, run: runNaive},
		{Name: NameLoopBulk, OrgTokens: sz.BulkOrg, Baseline: true, Short: "shell loop", targets: bulkTargets, floor: loopFloor, run: runLoop},
		{Name: NameList, OrgTokens: sz.LargeOrg, floor: listFloor, run: runList},
		{Name: NameCheck, OrgTokens: sz.CheckOrg, OrgMembers: sz.CheckUsers, floor: checkFloor, run: runCheck},
	}
}

// Describe says what the scenario does with how many tokens.
func (sc *Scenario) Describe(targets int) string {
	if sc.OrgMembers > 0 {
		return fmt.Sprintf("%s, org of %s tokens and %s members", sc.Name, thousands(sc.OrgTokens), thousands(sc.OrgMembers))
	}
	if targets <= 1 {
		return fmt.Sprintf("%s, org of %s", sc.Name, thousands(sc.OrgTokens))
	}
	return fmt.Sprintf("%s, %s of %s", sc.Name, thousands(targets), thousands(sc.OrgTokens))
}

// spread picks n tokens evenly across the listing, the last one included,
// so finding them all takes the whole listing.
func spread(tokens []string, n int) []string {
	n = min(n, len(tokens))
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, tokens[(i+1)*len(tokens)/n-1])
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// pagesToReach is how many listing pages it takes to see every one of
// targets in listing.
func pagesToReach(listing, targets []string, page int) int {
	last := 0
	for _, t := range targets {
		last = max(last, slices.Index(listing, t))
	}
	return last/page + 1
}

// batchFloor is tokenctl's floor: the organization comes with the first
// page, pages follow one another until every token is seen, then the
// mutations go concurrency at a time. The self-check overlaps the listing.
func batchFloor(s Settings, e *Emulator, targets []string) int {
	return pagesToReach(e.Tokens, targets, s.Page()) + ceilDiv(len(targets), s.InFlight())
}

// rememberedIDsFloor is the mutations alone: an earlier run (the dry run
// of prepare) remembered which token tokenctl is using and that its
// listing showed each named id for another token, which is all the
// listing is read for when every token is named by id. No self-check and
// no listing page.
func rememberedIDsFloor(s Settings, _ *Emulator, targets []string) int {
	return ceilDiv(len(targets), s.InFlight())
}

// naiveFloor lists the whole organization before every mutation.
func naiveFloor(s Settings, e *Emulator, targets []string) int {
	n, trips := len(e.Tokens), 0
	for range targets {
		trips += max(1, ceilDiv(n, s.Page())) + 1
		n--
	}
	return trips
}

// loopFloor runs tokenctl once per token: each run lists until it finds its
// token, then revokes it.
func loopFloor(s Settings, e *Emulator, targets []string) int {
	listing, trips := slices.Clone(e.Tokens), 0
	for _, t := range targets {
		trips += pagesToReach(listing, []string{t}, s.Page()) + 1
		listing = slices.DeleteFunc(listing, func(u string) bool { return u == t })
	}
	return trips
}

func listFloor(s Settings, e *Emulator, _ []string) int {
	return ceilDiv(len(e.Tokens), s.Page())
}

// checkFloor pages the tokens and the members side by side: the longer
// listing is the floor.
func checkFloor(s Settings, e *Emulator, _ []string) int {
	return max(ceilDiv(len(e.Tokens), s.Page()), ceilDiv(e.Members, s.Page()))
}

// runner holds what one scenario run needs.
type runner struct {
	emu      *Emulator
	settings Settings
	env      map[string]string
}

func newRunner(emu *Emulator, s Settings, configHome, cacheDir string) *runner {
	env := map[string]string{
		config.EnvCacheDir:            cacheDir,
		"BUILDKITE_API_TOKEN":         callerToken,
		"BUILDKITE_GRAPHQL_ENDPOINT":  emu.URL + "/v1",
		"BUILDKITE_REST_API_ENDPOINT": emu.URL,
		// No config file of the person running the bench is read.
		"XDG_CONFIG_HOME": configHome,
		"HOME":            configHome,
	}
	if s.PageSize > 0 {
		env[config.EnvVar(config.KeyPageSize)] = strconv.Itoa(s.PageSize)
	}
	if s.Concurrency > 0 {
		env[config.EnvVar(config.KeyConcurrency)] = strconv.Itoa(s.Concurrency)
	}
	return &runner{emu: emu, settings: s, env: env}
}

// useEnv makes the runner's environment the process's, the whole of what
// tokenctl reads (no variable of the person running the bench is left), and
// returns what puts the previous one back.
func (r *runner) useEnv() (restore func()) {
	type saved struct {
		value string
		set   bool
	}
	before := map[string]saved{}
	for _, e := range config.Environment() {
		v, ok := os.LookupEnv(e.Name)
		before[e.Name] = saved{v, ok}
		if v, ok := r.env[e.Name]; ok {
			os.Setenv(e.Name, v)
		} else {
			os.Unsetenv(e.Name)
		}
	}
	return func() {
		for k, s := range before {
			if s.set {
				os.Setenv(k, s.value)
			} else {
				os.Unsetenv(k)
			}
		}
	}
}

// factory is what tokenctl's main builds, with buffers for output; the
// environment is the runner's (see useEnv).
func (r *runner) factory() (*cmdutil.Factory, *strings.Builder, *strings.Builder) {
	ios, out, errOut := iostreams.Test("")
	return &cmdutil.Factory{IO: ios, Now: time.Now}, out, errOut
}

// client is the API client tokenctl's commands build, from the same
// settings.
func (r *runner) client() (*buildkite.Client, error) {
	f, _, _ := r.factory()
	s, err := config.Load(nil, config.LoadOptions{})
	if err != nil {
		return nil, err
	}
	c, err := f.APIClient(s, false)
	return c, err
}

// runRevoke is what a user types: tokenctl revoke --org ORG --token ... -o json.
func runRevoke(ctx context.Context, r *runner, targets []string) error {
	return revokeWith(ctx, r, Org, targets)
}

// runRevokeByIDs names the organization and the tokens by GraphQL id, as a
// script holding ids from an earlier listing would.
func runRevokeByIDs(ctx context.Context, r *runner, targets []string) error {
	return revokeWith(ctx, r, r.emu.OrgID, tokenIDs(targets))
}

// dryRunByIDs is an earlier run of the same script, as a dry run: it
// leaves tokenctl remembering which token it is using and the id the
// organization lists it under.
func dryRunByIDs(ctx context.Context, r *runner, targets []string) error {
	return revokeWith(ctx, r, r.emu.OrgID, tokenIDs(targets), "--dry-run")
}

func tokenIDs(uuids []string) []string {
	ids := make([]string, len(uuids))
	for i, t := range uuids {
		ids[i] = emulator.NodeID("APIAccessToken", t)
	}
	return ids
}

func revokeWith(ctx context.Context, r *runner, org string, tokens []string, extra ...string) error {
	args := append([]string{"revoke", "--org", org, "-o", "json"}, extra...)
	for _, t := range tokens {
		args = append(args, "--token", t)
	}
	targets := tokens
	f, out, errOut := r.factory()
	if code := cli.Run(ctx, f, args); code != 0 {
		return fmt.Errorf("tokenctl revoke exited %d: %s", code, strings.TrimSpace(errOut.String()))
	}
	var rep revoke.Report
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		return fmt.Errorf("tokenctl revoke printed no JSON report: %w", err)
	}
	done := rep.Summary.Revoked
	if slices.Contains(extra, "--dry-run") {
		done = rep.Summary.DryRun
	}
	if done != len(targets) {
		return fmt.Errorf("tokenctl revoke %s did %d of %d tokens: %+v", strings.Join(extra, " "), done, len(targets), rep.Summary)
	}
	return nil
}

// runLoop is a shell loop around tokenctl revoke, one token per run.
func runLoop(ctx context.Context, r *runner, targets []string) error {
	for _, t := range targets {
		if err := runRevoke(ctx, r, []string{t}); err != nil {
			return err
		}
	}
	return nil
}

// runNaive is the runbook: for every token, list the whole organization to
// find the ids, then send the mutation. Same client, one token at a time.
func runNaive(ctx context.Context, r *runner, targets []string) error {
	c, err := r.client()
	if err != nil {
		return err
	}
	for _, t := range targets {
		tokenID := ""
		org, err := c.ListTokens(ctx, ident.Org{Slug: Org}, func(p buildkite.TokenPage) bool {
			for _, tok := range p.Tokens {
				if tok.UUID == t {
					tokenID = tok.ID
				}
			}
			return true // the runbook reads the whole listing
		})
		if err != nil {
			return err
		}
		if tokenID == "" {
			return fmt.Errorf("token %s not in the listing", t)
		}
		if _, err := c.Revoke(ctx, org.ID, tokenID, revoke.NewMutationID()); err != nil {
			return err
		}
	}
	return nil
}

// runList pages through every token with the one pager.
func runList(ctx context.Context, r *runner, _ []string) error {
	c, err := r.client()
	if err != nil {
		return err
	}
	n := 0
	if _, err := c.ListTokens(ctx, ident.Org{Slug: Org}, func(p buildkite.TokenPage) bool {
		n += len(p.Tokens)
		return true
	}); err != nil {
		return err
	}
	if n != len(r.emu.Tokens) {
		return fmt.Errorf("listed %d tokens, the organization has %d", n, len(r.emu.Tokens))
	}
	return nil
}

// runCheck is what a nightly job types: tokenctl check --org ORG -o json >
// report.json, with the default policy, whose owner rules need the
// members. It exits 8 (findings) on the generated organization.
func runCheck(ctx context.Context, r *runner, _ []string) error {
	report, err := os.CreateTemp("", "tokenctl-bench-report-*.json")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(report.Name()) }()
	defer report.Close()
	f, _, errOut := r.factory()
	f.IO.Out = report
	if code := cli.Run(ctx, f, []string{"check", "--org", Org, "-o", "json"}); code != int(exitcode.Findings) {
		return fmt.Errorf("tokenctl check exited %d, want %d (findings): %s", code, exitcode.Findings, strings.TrimSpace(errOut.String()))
	}
	orgs, err := reportOrganizations(report)
	if err != nil {
		return fmt.Errorf("tokenctl check wrote no JSON report: %w", err)
	}
	if len(orgs) != 1 || orgs[0].Tokens != len(r.emu.Tokens) || orgs[0].Members == nil || *orgs[0].Members != r.emu.Members {
		return fmt.Errorf("tokenctl check read %+v, the organization has %d tokens and %d members", orgs, len(r.emu.Tokens), r.emu.Members)
	}
	return nil
}

// reportOrganizations reads the organizations at the head of a check
// report, without reading its findings into memory (that would count as
// tokenctl's heap).
func reportOrganizations(f *os.File) ([]hygiene.CheckedOrganization, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if tok == "organizations" {
			var orgs []hygiene.CheckedOrganization
			err := dec.Decode(&orgs)
			return orgs, err
		}
	}
}

// thousands writes n with thousands separators, as the report does.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// configHome is an empty directory standing in for the user's config
// directory.
func configHome() (string, func(), error) {
	dir, err := os.MkdirTemp("", "tokenctl-bench-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}
