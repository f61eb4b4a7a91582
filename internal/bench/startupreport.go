package bench

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WriteStartupTable prints the start-up measurements as a Markdown table:
// each row's spread, and its ratios to the hello-world, the stack floor and
// gh where they mean something (the medians of the rounds' ratios).
func WriteStartupTable(w io.Writer, rows []Startup) error {
	hasOther := slices.ContainsFunc(rows, func(r Startup) bool { return r.Role == RoleOther })
	hasLibs := slices.ContainsFunc(rows, func(r Startup) bool { return r.Role == RoleLibraries })
	var b strings.Builder
	b.WriteString("| Program | Runs | Min | Median | Max | CPU (median) | Page faults (median) | × hello-world | × stack floor |")
	if hasLibs {
		b.WriteString(" × library floor |")
	}
	if hasOther {
		b.WriteString(" × `gh --version` |")
	}
	b.WriteString(" API requests | Config files written |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	if hasLibs {
		b.WriteString("--:|")
	}
	if hasOther {
		b.WriteString("--:|")
	}
	b.WriteString("--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %d | %s | %s |",
			r.Name, r.Runs, ms(r.Min), ms(r.Median), ms(r.Max), ms(r.CPU), r.Faults,
			r.over(RoleHello, r.Role != RoleHello), r.over(RoleFloor, r.Role == RoleTokenctl || r.Role == RoleLibraries))
		if hasLibs {
			fmt.Fprintf(&b, " %s |", r.over(RoleLibraries, r.Role == RoleTokenctl))
		}
		if hasOther {
			fmt.Fprintf(&b, " %s |", r.over(RoleOther, r.Role == RoleTokenctl))
		}
		requests, files := "—", "—"
		if r.Role == RoleTokenctl {
			requests, files = strconv.Itoa(r.Requests), strconv.Itoa(len(r.ConfigFiles))
		}
		fmt.Fprintf(&b, " %s | %s |\n", requests, files)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// over is the row's ratio to ref as the table shows it, where shown.
func (r Startup) over(ref StartupRole, shown bool) string {
	x, ok := r.Over[ref]
	if !shown || !ok {
		return "—"
	}
	return fmt.Sprintf("%.2f×", x)
}

// StartupVerdict holds the start-up rows to the targets. missed are the
// targets missed, which fail the bench: tokenctl version over
// MaxStartupOverFloor times the stack floor, and any start-up command that
// touched the network or the config directory. goal says how tokenctl
// version stands against the goal of GoalStartupOverHello times a
// hello-world, met or not, and when not, whether the stack floor leaves it
// reachable.
func StartupVerdict(rows []Startup) (missed []string, goal string, goalMet bool) {
	var floorOverHello, libsOverHello float64
	for _, r := range rows {
		switch r.Role {
		case RoleFloor:
			floorOverHello = r.Over[RoleHello]
		case RoleLibraries:
			libsOverHello = r.Over[RoleHello]
		}
	}
	for _, r := range rows {
		if r.Role != RoleTokenctl {
			continue
		}
		cmd := "tokenctl " + strings.Join(r.Args, " ")
		if slices.Equal(r.Args, []string{"version"}) {
			if x, ok := r.Over[RoleFloor]; ok && x > MaxStartupOverFloor {
				missed = append(missed, fmt.Sprintf("%s took %.2f× the stack floor to start (median of paired runs); the bound is at most %.2f×", cmd, x, MaxStartupOverFloor))
			}
			goal, goalMet = startupGoal(cmd, r.Over[RoleHello], floorOverHello, r.Over[RoleFloor])
			if !goalMet && libsOverHello > 0 {
				goal += fmt.Sprintf(" Every library tokenctl imports (the stack, gojq for --jq, the keychain's, the standard library's), linked and initialised with nothing run, is %.2f× a hello-world; tokenctl's own code adds %.0f%% to that.", libsOverHello, 100*(r.Over[RoleLibraries]-1))
			}
		}
		if r.Requests > 0 {
			missed = append(missed, fmt.Sprintf("%s sent %d API requests; it must send none", cmd, r.Requests))
		}
		if len(r.ConfigFiles) > 0 {
			missed = append(missed, fmt.Sprintf("%s wrote to the config directory (%s); it must write nothing", cmd, strings.Join(r.ConfigFiles, ", ")))
		}
	}
	return missed, goal, goalMet
}

// startupGoal says how cmd, at x times a hello-world and overFloor times
// the stack floor, stands against the goal, given the stack floor at floor
// times a hello-world.
func startupGoal(cmd string, x, floor, overFloor float64) (string, bool) {
	g := fmt.Sprintf("the goal: %s at most %.0f× a Go hello-world built the same way", cmd, GoalStartupOverHello)
	switch {
	case x == 0:
		return g + ": not measured.", false
	case x <= GoalStartupOverHello:
		return fmt.Sprintf("%s: met, %.2f×.", g, x), true
	case floor >= GoalStartupOverHello:
		return fmt.Sprintf("%s: NOT MET, %.2f×, and unreachable while tokenctl is built on the required stack: the stack floor alone is %.2f× a hello-world.", g, x, floor), false
	case floor > 0:
		return fmt.Sprintf("%s: NOT MET, %.2f×; the stack floor alone is %.2f× a hello-world, which leaves %.0f%% over it for all that tokenctl adds (it adds %.0f%%).",
			g, x, floor, 100*(GoalStartupOverHello/floor-1), 100*(overFloor-1)), false
	}
	return fmt.Sprintf("%s: NOT MET, %.2f×.", g, x), false
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
