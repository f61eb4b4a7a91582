package examplescheck

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tokenctl/tokenctl/internal/testfiles"
	"go.yaml.in/yaml/v3"
)

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
	publishMu sync.Mutex
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// buildkitePipeline is the part of a pipeline file the examples use.
type buildkitePipeline struct {
	Env   map[string]string `yaml:"env"`
	Steps []struct {
		Label         string            `yaml:"label"`
		Key           string            `yaml:"key"`
		Command       yaml.Node         `yaml:"command"`
		Commands      yaml.Node         `yaml:"commands"`
		Env           map[string]string `yaml:"env"`
		ArtifactPaths []string          `yaml:"artifact_paths"`
	} `yaml:"steps"`
}

// githubWorkflow is the part of a workflow file the example uses.
type githubWorkflow struct {
	Jobs map[string]struct {
		RunsOn string            `yaml:"runs-on"`
		Env    map[string]string `yaml:"env"`
		Steps  []githubStep      `yaml:"steps"`
	} `yaml:"jobs"`
}

type githubStep struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	If   string            `yaml:"if"`
	Env  map[string]string `yaml:"env"`
	With map[string]string `yaml:"with"`
}

func readYAML(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testfiles.RepoRoot(t), "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(false)
	if err := dec.Decode(into); err != nil {
		t.Fatalf("examples/%s: %v", name, err)
	}
}

// buildkiteStep is one command step, its script as the agent runs it.
type buildkiteStep struct {
	script    string
	env       map[string]string
	artifacts []string
}

// buildkiteSteps reads a pipeline's command steps. Buildkite interpolates
// $VAR when the pipeline is uploaded, long before the step's environment
// exists: every variable a script reads must be written $$VAR, which the
// upload turns into $VAR.
func buildkiteSteps(t *testing.T, name string) (map[string]string, []buildkiteStep) {
	t.Helper()
	var p buildkitePipeline
	readYAML(t, name, &p)
	var steps []buildkiteStep
	for _, s := range p.Steps {
		var lines []string
		for _, n := range []*yaml.Node{&s.Command, &s.Commands} {
			switch n.Kind {
			case 0:
			case yaml.ScalarNode:
				lines = append(lines, n.Value)
			case yaml.SequenceNode:
				for _, c := range n.Content {
					lines = append(lines, c.Value)
				}
			default:
				t.Fatalf("examples/%s: step %q: a command is a string or a list of strings", name, s.Label)
			}
		}
		script := strings.Join(lines, "\n")
		if m := regexp.MustCompile(`\$[A-Za-z_{]`).FindString(strings.ReplaceAll(script, "$$", "")); m != "" {
			t.Errorf("examples/%s: step %q: %q would be interpolated when the pipeline is uploaded; write $$ for the step's shell", name, s.Label, m)
		}
		steps = append(steps, buildkiteStep{script: strings.ReplaceAll(script, "$$", "$"), env: s.Env, artifacts: s.ArtifactPaths})
	}
	if len(steps) == 0 {
		t.Fatalf("examples/%s: no command step", name)
	}
	return p.Env, steps
}

// runBuildkite runs the pipeline's steps as an agent would: each script
// with bash -e -c, with the pipeline's and the step's env and the agent's
// secrets. It returns the last step's exit status and its output.
func runBuildkite(t *testing.T, e *env, name string, secrets map[string]string) (int, string, []string) {
	t.Helper()
	pipelineEnv, steps := buildkiteSteps(t, name)
	var status int
	var out string
	var artifacts []string
	for _, s := range steps {
		vars := map[string]string{"BUILDKITE": "true"}
		for _, m := range []map[string]string{pipelineEnv, s.env, secrets} {
			for k, v := range m {
				vars[k] = v
			}
		}
		status, out = e.run(s.script, []string{"-e", "-c"}, vars)
		artifacts = append(artifacts, s.artifacts...)
		if status != 0 {
			break
		}
	}
	return status, out, artifacts
}

// githubJob is the outcome of a workflow job run by runGitHub.
type githubJob struct {
	status   map[string]int // each step's exit status, by name; -1 = skipped
	failed   bool
	summary  string
	output   string
	uploaded []string
}

// runGitHub runs the workflow's one job as a runner would: each run step
// with bash --noprofile --norc -eo pipefail, the job's and the step's env
// (${{ secrets.NAME }} from secrets), GITHUB_STEP_SUMMARY, GITHUB_PATH and
// GITHUB_ENV; a step after a failure runs only with if: always(). Steps
// that use actions: checkout is the prepared checkout, upload-artifact
// records its path.
func runGitHub(t *testing.T, e *env, name string, secrets map[string]string) githubJob {
	t.Helper()
	var w githubWorkflow
	readYAML(t, name, &w)
	if len(w.Jobs) != 1 {
		t.Fatalf("examples/%s: %d jobs, want one", name, len(w.Jobs))
	}
	dir := t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"GITHUB_STEP_SUMMARY", "GITHUB_PATH", "GITHUB_ENV", "GITHUB_OUTPUT"} {
		files[f] = filepath.Join(dir, strings.ToLower(f))
		writeFile(t, files[f], "")
	}
	job := githubJob{status: map[string]int{}}
	for _, j := range w.Jobs {
		for i, s := range j.Steps {
			label := s.Name
			if label == "" {
				label = s.Uses
			}
			if job.failed && s.If != "always()" && s.If != "failure()" {
				job.status[label] = -1
				continue
			}
			switch {
			case strings.HasPrefix(s.Uses, "actions/checkout@"):
				job.status[label] = 0
				continue
			case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
				job.uploaded = append(job.uploaded, s.With["path"])
				job.status[label] = 0
				continue
			case s.Uses != "":
				t.Fatalf("examples/%s: step %d uses %s, which this test cannot play", name, i, s.Uses)
			}
			if strings.Contains(s.Run, "${{") {
				t.Errorf("examples/%s: step %q puts an expression in its script; pass it through env", name, label)
			}
			vars := map[string]string{"GITHUB_ACTIONS": "true", "RUNNER_TEMP": dir}
			for k, v := range files {
				vars[k] = v
			}
			for _, m := range []map[string]string{j.Env, s.Env} {
				for k, v := range m {
					vars[k] = expand(t, name, v, secrets)
				}
			}
			vars["PATH"] = githubPath(t, files["GITHUB_PATH"]) + e.path
			script := filepath.Join(dir, "step.sh")
			writeFile(t, script, s.Run)
			status, out := e.run(script, []string{"--noprofile", "--norc", "-eo", "pipefail"}, vars)
			job.status[label], job.output = status, job.output+out
			job.failed = job.failed || status != 0
		}
	}
	summary, err := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	job.summary = string(summary)
	return job
}

// expand resolves a step's env value: ${{ secrets.NAME }} alone.
func expand(t *testing.T, name, v string, secrets map[string]string) string {
	t.Helper()
	m := regexp.MustCompile(`^\$\{\{\s*secrets\.([A-Z_]+)\s*\}\}$`).FindStringSubmatch(v)
	if m != nil {
		return secrets[m[1]]
	}
	if strings.Contains(v, "${{") {
		t.Fatalf("examples/%s: env value %q: only ${{ secrets.NAME }} is played here", name, v)
	}
	return v
}

// githubPath is what steps added to GITHUB_PATH, ready to go before PATH.
func githubPath(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out string
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i] != "" {
			out += lines[i] + ":"
		}
	}
	return out
}
