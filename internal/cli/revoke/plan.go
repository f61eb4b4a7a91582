package revoke

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/span"
)

func addPlannedFlags(fl *pflag.FlagSet, p *plannedOptions) {
	fl.StringVar(&p.File, "plan", "", "revoke exactly the tokens of a plan `FILE` written by tokenctl check --plan-out")
	fl.StringVar(&p.MaxAgeArg, "max-plan-age", "24h", "with --plan: refuse a plan older than this `DURATION` (24h, 2d, 90m)")
}

// record notes which plan flags the command line gave.
func (p *plannedOptions) record(fl *pflag.FlagSet) {
	p.maxAgeSet = fl.Changed("max-plan-age")
}

// requested reports whether a plan flag was given.
func (p *plannedOptions) requested() bool {
	return p.File != "" || p.maxAgeSet
}

// maxPlanFile bounds what --plan reads.
const maxPlanFile = 64 << 20

// completePlanned reads and verifies the plan, unless the command line
// already rules it out; what goes wrong is kept for validatePlanned.
func (o *RevokeOptions) completePlanned() {
	p := &o.Planned
	if p.File == "" || (p.File == inputfile.Stdin && o.apiTokenFile == inputfile.Stdin) {
		return
	}
	maxAge, err := parsePlanAge(p.MaxAgeArg)
	if err != nil {
		return // validatePlanned reports it
	}
	source := inputfile.Describe("--plan", p.File)
	data, err := inputfile.Read(p.File, o.IO.In, maxPlanFile, "the plan")
	switch {
	case errors.Is(err, inputfile.ErrTooLarge):
		p.planErr = exitcode.New(exitcode.Usage, fmt.Errorf("%s: is too large to be a revocation plan", source))
		return
	case err != nil:
		p.planErr = exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", source, err))
		return
	}
	plan, err := hygiene.ReadPlan(data, source, o.Factory.Now(), maxAge)
	switch {
	case errors.Is(err, hygiene.ErrPlanTooOld):
		p.planErr = exitcode.New(exitcode.Refused, err)
	case err != nil:
		p.planErr = exitcode.New(exitcode.Usage, err)
	default:
		p.plan = plan
	}
}

// validatePlanned is validate for --plan: the flag combinations, then the
// plan read by completePlanned, all before any request.
func (o *RevokeOptions) validatePlanned() error {
	usage := func(format string, args ...any) error {
		return exitcode.New(exitcode.Usage, fmt.Errorf(format, args...))
	}
	p := &o.Planned
	switch {
	case p.File == "":
		return usage("--max-plan-age goes with --plan FILE")
	case len(o.TokenArgs) > 0 || o.Leaked.requested() || o.Bulk.requested() || o.Scan.File != "":
		return usage("--plan revokes exactly the plan's tokens: do not combine it with --token, --from-file, --token-value-file, --from-scan or filters")
	case o.OrgGiven:
		return usage("--plan names its organizations: drop --org")
	case p.File == inputfile.Stdin && o.apiTokenFile == inputfile.Stdin:
		return usage("--api-token-file - and --plan - both want standard input; put one of them in a file")
	}
	if _, err := parsePlanAge(p.MaxAgeArg); err != nil {
		return usage("--max-plan-age %s: %v", p.MaxAgeArg, err)
	}
	return p.planErr
}

// parsePlanAge reads Go durations (90m, 24h) and tokenctl's day spans (2d).
func parsePlanAge(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(strings.TrimSpace(s)); err == nil && d > 0 {
		return d, nil
	}
	return span.Parse(s)
}

// revokePlannedRun applies a plan: it judges every planned token again with
// the plan's policy on what Buildkite shows now, refuses those the policy
// no longer condemns, then confirms and revokes like every other
// revocation.
func revokePlannedRun(ctx context.Context, o *RevokeOptions) error {
	plan := o.Planned.plan
	if len(plan.Revocations) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: the plan holds no revocation: nothing to do\n")
		return printEmptyReport(o)
	}
	client, err := o.Factory.APIClient(o.Settings, o.Debug)
	if err != nil {
		return err
	}
	plans, err := plan.Resolve(ctx, client, o.AllowSelf, o.Factory.Now())
	if err != nil {
		return err
	}
	slugs := make([]string, len(plans))
	for i, p := range plans {
		slugs[i] = document.OrgName(p.Organization)
	}
	if err := confirmRevocation(ctx, o, strings.Join(slugs, ", "), plans); err != nil {
		return err
	}
	return executePlans(ctx, o, client, execution{
		plans:    plans,
		progress: true,
		byOrg:    len(plans) > 1,
		counted:  "token(s)",
	})
}

// printEmptyReport prints the report of a run that had nothing to revoke.
func printEmptyReport(o *RevokeOptions) error {
	return executePlans(context.Background(), o, nil, execution{counted: "token(s)"})
}
