package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/selector"
)

// plannedOptions are the inputs of `tokenctl revoke --plan`: a revocation
// plan written by `tokenctl check --plan-out`.
type plannedOptions struct {
	File      string
	MaxAgeArg string

	plan *hygiene.Plan // read by completePlanned
}

func addPlannedFlags(fl *pflag.FlagSet, p *plannedOptions) {
	fl.StringVar(&p.File, "plan", "", "revoke exactly the tokens of a plan `FILE` written by tokenctl check --plan-out")
	fl.StringVar(&p.MaxAgeArg, "max-plan-age", "24h", "with --plan: refuse a plan older than this `DURATION` (24h, 2d, 90m)")
}

func (p *plannedOptions) requested(fl *pflag.FlagSet) bool {
	return p.File != "" || fl.Changed("max-plan-age")
}

// maxPlanFile bounds what --plan reads.
const maxPlanFile = 64 << 20

// completePlanned is validate for --plan: it checks the flag combinations
// and reads and verifies the plan, all before any request.
func (o *RevokeOptions) completePlanned() error {
	usage := func(format string, args ...any) error {
		return exitcode.New(exitcode.Usage, fmt.Errorf(format, args...))
	}
	fl := o.cmd.Flags()
	switch {
	case o.Planned.File == "":
		return usage("--max-plan-age goes with --plan FILE")
	case len(o.TokenArgs) > 0 || o.Leaked.requested() || o.Bulk.requested(fl):
		return usage("--plan revokes exactly the plan's tokens: do not combine it with --token, --from-file, --token-value-file or filters")
	case fl.Changed("org"):
		return usage("--plan names its organizations: drop --org")
	}
	maxAge, err := parsePlanAge(o.Planned.MaxAgeArg)
	if err != nil {
		return usage("--max-plan-age %s: %v", o.Planned.MaxAgeArg, err)
	}
	data, source, err := readFlagFile("--plan", o.Planned.File, o.IO.In, maxPlanFile, "the plan")
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if len(data) > maxPlanFile {
		return usage("%s: is too large to be a revocation plan", source)
	}
	plan, err := hygiene.ReadPlan(data, source, o.Factory.Now(), maxAge)
	switch {
	case errors.Is(err, hygiene.ErrPlanTooOld):
		return exitcode.New(exitcode.Refused, err)
	case err != nil:
		return exitcode.New(exitcode.Usage, err)
	}
	o.Planned.plan = plan
	return nil
}

// parsePlanAge reads Go durations (90m, 24h) and tokenctl's day spans (2d).
func parsePlanAge(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(strings.TrimSpace(s)); err == nil && d > 0 {
		return d, nil
	}
	return selector.ParseDuration(s)
}

// revokePlannedRun applies a plan: it re-reads every planned token, refuses
// those that changed since the plan was made, then confirms and revokes
// like every other revocation.
func revokePlannedRun(ctx context.Context, o *RevokeOptions) error {
	plan := o.Planned.plan
	if len(plan.Revocations) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "tokenctl: the plan holds no revocation: nothing to do\n")
		return printEmptyReport(o)
	}
	client, rt, err := o.Factory.APIClient(o.settings, o.Debug)
	if err != nil {
		return err
	}
	plans, err := plan.Resolve(ctx, client, o.AllowSelf)
	if err != nil {
		return err
	}
	slugs := make([]string, len(plans))
	for i, p := range plans {
		slugs[i] = orgName(p.Organization)
	}
	if err := confirmRevocation(o, strings.Join(slugs, ", "), plans); err != nil {
		return err
	}
	return executePlans(ctx, o, client, rt, execution{
		plans:    plans,
		progress: true,
		byOrg:    len(plans) > 1,
		counted:  "token(s)",
	})
}

// printEmptyReport prints the report of a run that had nothing to revoke.
func printEmptyReport(o *RevokeOptions) error {
	return executePlans(context.Background(), o, nil, nil, execution{counted: "token(s)"})
}
