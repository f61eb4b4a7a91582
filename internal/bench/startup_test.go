package bench

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSummariseTakesRatiosRoundByRound(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	// Round 2 met a load spike that slowed both programs: the rounds'
	// ratios are 2, 2 and 2, while the medians' ratio would be 10/4.
	hello := []runSample{{Wall: ms(2), Role: RoleHello}, {Wall: ms(4), Role: RoleHello}, {Wall: ms(20), Role: RoleHello}}
	floor := []runSample{{Wall: ms(3), Role: RoleFloor}, {Wall: ms(5), Role: RoleFloor}, {Wall: ms(25), Role: RoleFloor}}
	tok := []runSample{{Wall: ms(4), Faults: 900, Role: RoleTokenctl}, {Wall: ms(8), Faults: 800, Role: RoleTokenctl}, {Wall: ms(40), Faults: 1000, Role: RoleTokenctl}}
	row := summarise([][]runSample{hello, floor, tok}, 2)
	if row.Min != ms(4) || row.Median != ms(8) || row.Max != ms(40) || row.Faults != 900 || row.Runs != 3 {
		t.Errorf("spread = %+v", row)
	}
	if got := row.Over[RoleHello]; got != 2 {
		t.Errorf("× hello-world = %v, want the rounds' median 2", got)
	}
	if got := row.Over[RoleFloor]; got != 1.6 {
		t.Errorf("× stack floor = %v, want 1.6", got)
	}
	if _, ok := summarise([][]runSample{hello, floor, tok}, 0).Over[RoleTokenctl]; ok {
		t.Error("a reference row was compared with tokenctl")
	}
}

func TestStartupVerdict(t *testing.T) {
	rows := func(floor, version, overFloor float64) []Startup {
		return []Startup{
			{Role: RoleHello},
			{Role: RoleFloor, Over: map[StartupRole]float64{RoleHello: floor}},
			{Role: RoleTokenctl, Args: []string{"version"}, Over: map[StartupRole]float64{RoleHello: version, RoleFloor: overFloor}},
			{Role: RoleTokenctl, Args: []string{"--help"}, Over: map[StartupRole]float64{RoleHello: 9, RoleFloor: 9}},
		}
	}
	for _, tt := range []struct {
		name             string
		rows             []Startup
		missed, goal     string
		goalMet          bool
		wantMissedNumber int
	}{
		{name: "floor above the goal, version near the floor", rows: rows(2.05, 2.3, 1.12),
			goal: "NOT MET, 2.30×, and unreachable while tokenctl is built on the required stack: the stack floor alone is 2.05× a hello-world"},
		{name: "floor just under the goal", rows: rows(1.94, 2.3, 1.19),
			goal: "NOT MET, 2.30×; the stack floor alone is 1.94× a hello-world, which leaves 3% over it for all that tokenctl adds (it adds 19%)"},
		{name: "version far above the floor", rows: rows(2.05, 3.2, 1.56), wantMissedNumber: 1,
			missed: "tokenctl version took 1.56× the stack floor to start (median of paired runs); the bound is at most 1.50×", goal: "NOT MET, 3.20×, and unreachable"},
		{name: "version at the bound", rows: rows(1.9, 2.85, 1.5),
			goal: "NOT MET, 2.85×; the stack floor alone is 1.90× a hello-world, which leaves 5% over it for all that tokenctl adds (it adds 50%)"},
		{name: "floor under the goal", rows: rows(1.6, 2.08, 1.3),
			goal: "NOT MET, 2.08×; the stack floor alone is 1.60× a hello-world, which leaves 25% over it for all that tokenctl adds (it adds 30%)"},
		{name: "goal met", rows: rows(1.5, 1.8, 1.2), goal: "met, 1.80×", goalMet: true},
	} {
		missed, goal, met := StartupVerdict(tt.rows)
		if len(missed) != tt.wantMissedNumber || (tt.missed != "" && !strings.Contains(strings.Join(missed, "\n"), tt.missed)) {
			t.Errorf("%s: missed %q, want %d like %q", tt.name, missed, tt.wantMissedNumber, tt.missed)
		}
		if !strings.Contains(goal, tt.goal) || !strings.HasPrefix(goal, "the goal: tokenctl version at most 2× a Go hello-world") || met != tt.goalMet {
			t.Errorf("%s: goal %q (met %v), want %q (met %v)", tt.name, goal, met, tt.goal, tt.goalMet)
		}
	}

	// With the library floor measured, the goal says what it leaves.
	withLibs := append(rows(1.83, 2.43, 1.33), Startup{Role: RoleLibraries, Over: map[StartupRole]float64{RoleHello: 2.03}})
	withLibs[2].Over[RoleLibraries] = 1.2
	if _, goal, _ := StartupVerdict(withLibs); !strings.Contains(goal, "nothing run, is 2.03× a hello-world; tokenctl's own code adds 20% to that.") {
		t.Errorf("goal with the library floor: %q", goal)
	}

	touched := rows(1.9, 2.1, 1.1)
	touched[3].Requests, touched[3].ConfigFiles = 1, []string{"tokenctl/config.yaml"}
	missed, _, _ := StartupVerdict(touched)
	if len(missed) != 2 || !strings.Contains(missed[0], "tokenctl --help sent 1 API requests") || !strings.Contains(missed[1], "tokenctl/config.yaml") {
		t.Errorf("StartupVerdict = %q", missed)
	}
}

func TestStartupTable(t *testing.T) {
	over := func(h, f, g float64) map[StartupRole]float64 {
		return map[StartupRole]float64{RoleHello: h, RoleFloor: f, RoleOther: g}
	}
	rows := []Startup{
		{Name: "Go hello-world", Role: RoleHello, Runs: 30, Min: 1200 * time.Microsecond, Median: 1400 * time.Microsecond, Max: 3 * time.Millisecond, Faults: 190, Over: over(0, 0.5, 0.3)},
		{Name: "stack floor", Role: RoleFloor, Runs: 30, Median: 2800 * time.Microsecond, Over: over(1.94, 0, 0.6)},
		{Name: "`tokenctl version`", Role: RoleTokenctl, Args: []string{"version"}, Runs: 30, Median: 3300 * time.Microsecond, Faults: 610, Over: over(2.3, 1.19, 0.7)},
		{Name: "`gh --version`", Role: RoleOther, Runs: 30, Median: 4700 * time.Microsecond, Over: over(3.4, 1.7, 0)},
	}
	var b strings.Builder
	if err := WriteStartupTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []string{
		"| Program | Runs | Min | Median | Max | CPU (median) | Page faults (median) | × hello-world | × stack floor | × `gh --version` | API requests | Config files written |",
		"|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
		"| Go hello-world | 30 | 1.2 ms | 1.4 ms | 3.0 ms | 0.0 ms | 190 | — | — | — | — | — |",
		"| stack floor | 30 | 0.0 ms | 2.8 ms | 0.0 ms | 0.0 ms | 0 | 1.94× | — | — | — | — |",
		"| `tokenctl version` | 30 | 0.0 ms | 3.3 ms | 0.0 ms | 0.0 ms | 610 | 2.30× | 1.19× | 0.70× | 0 | 0 |",
		"| `gh --version` | 30 | 0.0 ms | 4.7 ms | 0.0 ms | 0.0 ms | 0 | 3.40× | — | — | — | — |",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), strings.Join(want, "\n"))
	}

	b.Reset()
	if err := WriteStartupTable(&b, rows[:3]); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "gh") || !strings.Contains(b.String(), "| 2.30× | 1.19× | 0 | 0 |") {
		t.Errorf("without gh, the table still shows it:\n%s", b.String())
	}
}

func TestStackFloorImportsTheRequiredStackAtTokenctlsVersions(t *testing.T) {
	src := stackFloorSource()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ImportsOnly)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	var imports []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path != "fmt" && (imp.Name == nil || imp.Name.Name != "_") {
			t.Errorf("%s is imported for use, not blank", path)
		}
		imports = append(imports, path)
	}
	if want := append([]string{"fmt"}, StackLibraries...); !slices.Equal(imports, want) {
		t.Errorf("imports %q, want %q", imports, want)
	}

	modFile, err := mainModFile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(modFile)
	if err != nil {
		t.Fatal(err)
	}
	renamed, err := renameModule(mod, "stackfloor")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(renamed), "module stackfloor\n") || strings.Contains(string(renamed), "tokenctl/tokenctl") {
		t.Errorf("renamed go.mod:\n%s", renamed)
	}
	if want := strings.Replace(string(mod), "module github.com/tokenctl/tokenctl\n", "module stackfloor\n", 1); string(renamed) != want {
		t.Error("renaming the module changed more than its name")
	}
	if _, err := renameModule([]byte("go 1.26\n"), "x"); err == nil {
		t.Error("a go.mod without a module line was renamed")
	}
}

func TestMeasureStartupPutsWhatACommandLeftDownToIt(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The stand-in for tokenctl writes to its config directory when asked
	// for help, and only then.
	bins := StartupBinaries{
		Hello:    script("hello", "exit 0"),
		Floor:    script("floor", "exit 0"),
		Tokenctl: script("tokenctl", `[ "$1" = --help ] && : > "$XDG_CONFIG_HOME/written"; exit 0`),
	}
	rows, err := MeasureStartup(context.Background(), bins, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("rows = %+v", rows)
	}
	roles := []StartupRole{RoleHello, RoleFloor, RoleTokenctl, RoleTokenctl}
	for i, r := range rows {
		if r.Role != roles[i] || r.Runs != 3 || r.Median <= 0 || r.Requests != 0 {
			t.Errorf("row %d = %+v", i, r)
		}
	}
	if _, ok := rows[2].Over[RoleOther]; ok {
		t.Error("compared with gh, which was not given")
	}
	if rows[2].Over[RoleHello] <= 0 || rows[2].Over[RoleFloor] <= 0 {
		t.Errorf("ratios = %v", rows[2].Over)
	}
	if len(rows[2].ConfigFiles) != 0 || !slices.Equal(rows[3].ConfigFiles, []string{"written"}) {
		t.Errorf("files left: version %q, --help %q", rows[2].ConfigFiles, rows[3].ConfigFiles)
	}
	// The stand-ins are the same script, so how their times compare is
	// the machine's noise: a bound over the floor missed here says nothing.
	missed, _, _ := StartupVerdict(rows)
	missed = slices.DeleteFunc(missed, func(m string) bool { return strings.Contains(m, "× the stack floor to start") })
	if len(missed) != 1 || !strings.Contains(missed[0], "tokenctl --help wrote to the config directory (written)") {
		t.Errorf("missed = %q", missed)
	}
}

// gh, where installed, is found, timed in the same rounds and compared
// with; a gh that does not run is left out.
func TestMeasureStartupComparesWithGHWhereItRuns(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	gh := write("gh", `[ "$1" = --version ] && echo "gh version 2.0.0"`)
	ctx := context.Background()
	if got := FindGH(ctx); got != gh {
		t.Fatalf("FindGH = %q, want %q", got, gh)
	}
	ok := write("ok", "exit 0")
	rows, err := MeasureStartup(ctx, StartupBinaries{Hello: ok, Floor: ok, Tokenctl: ok, GH: gh}, 2)
	if err != nil {
		t.Fatal(err)
	}
	last := rows[len(rows)-1]
	if last.Role != RoleOther || last.Name != "`gh --version`" || last.Runs != 2 {
		t.Errorf("gh's row = %+v", last)
	}
	if rows[2].Over[RoleOther] <= 0 {
		t.Errorf("tokenctl version is not compared with gh: %v", rows[2].Over)
	}
	var b strings.Builder
	if err := WriteStartupTable(&b, rows); err != nil || !strings.Contains(b.String(), "× `gh --version` |") {
		t.Errorf("table without gh's column (%v):\n%s", err, b.String())
	}

	write("gh", "exit 1")
	if got := FindGH(ctx); got != "" {
		t.Errorf("a gh that fails was found: %q", got)
	}
}

// TestLibraryImports: the library floor imports what tokenctl's packages
// import from outside its module, and none of tokenctl's own.
func TestLibraryImports(t *testing.T) {
	libs, err := LibraryImports(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"github.com/itchyny/gojq", "github.com/zalando/go-keyring", "net/http", "encoding/json"}, StackLibraries...) {
		if !slices.Contains(libs, want) {
			t.Errorf("%s is not among %q", want, libs)
		}
	}
	for _, lib := range libs {
		if strings.Contains(lib, "tokenctl/tokenctl") {
			t.Errorf("tokenctl's own %s is among the libraries", lib)
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", floorSource(libs), parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Imports) != len(libs) {
		t.Errorf("%d imports for %d libraries (fmt among them, imported once)", len(f.Imports), len(libs))
	}
}

// initialisedPackages are tokenctl's own packages that still run code
// at start-up, whatever the command, and why. Any other package of
// tokenctl's must lay its package-level values out as data (constants,
// arrays, struct literals, errors.New, lazyregexp.New) rather than make
// them by calls, maps or fmt at start-up: each package that initialises
// costs `tokenctl version` a page or two touched.
var initialisedPackages = map[string]string{
	"github.com/tokenctl/tokenctl/internal/output":  "its colours (fatih/color)",
	"github.com/tokenctl/tokenctl/internal/hygiene": "its policy's table of rule kinds and its replacers",
}

func TestOnlyKnownPackagesInitialise(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tokenctl")
	}
	bin, err := BuildTokenctl(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "version")
	cmd.Env = append(plainEnv(t.TempDir()), "GODEBUG=inittrace=1")
	var out, trace strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &trace
	if err := cmd.Run(); err != nil {
		t.Fatalf("tokenctl version: %v\n%s", err, trace.String())
	}
	// Built as a release is, the version set through the linker.
	if want := "tokenctl " + BenchVersion + " (commit bench, built bench)\n"; out.String() != want {
		t.Errorf("tokenctl version printed %q, want %q", out.String(), want)
	}
	for _, line := range strings.Split(trace.String(), "\n") {
		// init github.com/tokenctl/tokenctl/internal/x @4.3 ms, 0.010 ms clock, ...
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[0] != "init" || !strings.HasPrefix(fields[1], "github.com/tokenctl/tokenctl/") {
			continue
		}
		if _, known := initialisedPackages[fields[1]]; !known {
			t.Errorf("%s runs code at start-up: %s", fields[1], line)
		}
	}
}
