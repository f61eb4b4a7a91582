package examplescheck

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/testfiles"
)

const (
	buildkiteExample = "buildkite-pipeline.yml"
	containerExample = "buildkite-pipeline-container.yml"
	githubExample    = "github-actions-token-check.yml"

	// hackathonToken is the demo token whose admin scopes fail the
	// starter policy.
	hackathonToken = "77777777-7777-4777-8777-777777777777"

	warnOnlyPolicy = "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n"
)

func starterPolicy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testfiles.RepoRoot(t), "examples", "policy-starter.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var pinned = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// pinnedVersion is the release an example installs: TOKENCTL_VERSION,
// a version number, never "latest".
func pinnedVersion(t *testing.T, vars map[string]string) string {
	t.Helper()
	v := vars["TOKENCTL_VERSION"]
	if !pinned.MatchString(v) {
		t.Fatalf("TOKENCTL_VERSION = %q, want a pinned release such as 1.2.3", v)
	}
	return v
}

// No example installs from source or follows whatever is newest.
func TestExamplesPinWhatTheyRun(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join(testfiles.RepoRoot(t), "examples"))
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		data, err := os.ReadFile(filepath.Join(testfiles.RepoRoot(t), "examples", entry.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"go install", "@latest", ":latest"} {
			if strings.Contains(string(data), bad) {
				t.Errorf("examples/%s: %q: run a pinned release, verified against its checksums", entry.Name(), bad)
			}
		}
	}
	var w githubWorkflow
	readYAML(t, githubExample, &w)
	pinnedVersion(t, w.Jobs["check"].Env)
	env, _ := buildkiteSteps(t, buildkiteExample)
	pinnedVersion(t, env)
	env, _ = buildkiteSteps(t, containerExample)
	if !regexp.MustCompile(`^ghcr\.io/tokenctl/tokenctl:[0-9]+\.[0-9]+\.[0-9]+(@sha256:[0-9a-f]{64})?$`).MatchString(env["TOKENCTL_IMAGE"]) {
		t.Errorf("TOKENCTL_IMAGE = %q, want the image of a pinned release", env["TOKENCTL_IMAGE"])
	}
}

// checkAnnotation checks the one annotation of a run: its style, its
// context, and its body, the Markdown of the report the run saved.
func checkAnnotation(t *testing.T, e *env, style, body string) {
	t.Helper()
	notes := e.annotations()
	if len(notes) != 1 {
		t.Fatalf("%d annotations, want 1", len(notes))
	}
	if want := []string{"--style", style, "--context", "tokenctl-check"}; !slices.Equal(notes[0].args, want) {
		t.Errorf("annotate %v, want %v", notes[0].args, want)
	}
	if notes[0].body != body {
		t.Errorf("the annotation is not the saved report's Markdown:\n--- got\n%s\n--- want\n%s", notes[0].body, body)
	}
}

// savedReport reads the JSON report a run kept as its artifact.
func savedReport(t *testing.T, e *env, artifacts []string) hygiene.Saved {
	t.Helper()
	if !slices.Equal(artifacts, []string{"tokenctl-report.json"}) {
		t.Fatalf("artifacts %v, want the JSON report", artifacts)
	}
	data, err := os.ReadFile(filepath.Join(e.work, artifacts[0]))
	if err != nil {
		t.Fatalf("the artifact: %v", err)
	}
	saved, err := hygiene.ReadSaved(data, artifacts[0])
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func TestBuildkitePipeline(t *testing.T) {
	env, _ := buildkiteSteps(t, buildkiteExample)
	version := pinnedVersion(t, env)
	admin := map[string]string{"BUILDKITE_API_TOKEN": adminToken}

	t.Run("findings", func(t *testing.T) {
		e := newEnv(t, version, starterPolicy(t))
		status, out, artifacts := runBuildkite(t, e, buildkiteExample, admin)
		if status != 8 {
			t.Fatalf("exit %d, want 8 (findings)\n%s", status, out)
		}
		saved := savedReport(t, e, artifacts)
		if saved.Report == nil || !strings.Contains(e.rendered(artifacts[0]), hackathonToken) {
			t.Fatalf("the report does not hold the finding that failed the check: %+v", saved)
		}
		checkAnnotation(t, e, "error", e.rendered(artifacts[0]))
	})
	t.Run("clean", func(t *testing.T) {
		e := newEnv(t, version, warnOnlyPolicy)
		status, out, artifacts := runBuildkite(t, e, buildkiteExample, admin)
		if status != 0 {
			t.Fatalf("exit %d, want 0\n%s", status, out)
		}
		checkAnnotation(t, e, "success", e.rendered(artifacts[0]))
	})
	t.Run("check cannot run", func(t *testing.T) {
		e := newEnv(t, version, starterPolicy(t))
		status, out, artifacts := runBuildkite(t, e, buildkiteExample, map[string]string{"BUILDKITE_API_TOKEN": unknownToken})
		if status != 3 {
			t.Fatalf("exit %d, want 3 (the credential)\n%s", status, out)
		}
		if saved := savedReport(t, e, artifacts); saved.Failure == nil {
			t.Fatal("the artifact is not the check's failure document")
		}
		body := e.rendered(artifacts[0])
		mustContain(t, body, "could not run", "(exit status 3)")
		checkAnnotation(t, e, "error", body)
	})
	t.Run("download does not match its checksum", func(t *testing.T) {
		e := newEnv(t, version, starterPolicy(t))
		e.tamper(version)
		status, out, _ := runBuildkite(t, e, buildkiteExample, admin)
		if status == 0 || !strings.Contains(out, "FAILED") {
			t.Fatalf("exit %d, want a failed checksum\n%s", status, out)
		}
		if _, err := os.Stat(filepath.Join(e.work, "tokenctl-report.json")); err == nil || len(e.annotations()) != 0 {
			t.Error("tokenctl ran although its download did not match the checksums")
		}
	})
}

func TestBuildkitePipelineContainer(t *testing.T) {
	env, _ := buildkiteSteps(t, containerExample)
	image := env["TOKENCTL_IMAGE"]
	for _, tt := range []struct {
		name   string
		token  string
		status int
	}{
		{"findings", adminToken, 8},
		{"check cannot run", unknownToken, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "0.0.0", starterPolicy(t))
			e.vars["STANDIN_IMAGE"] = image
			status, out, artifacts := runBuildkite(t, e, containerExample, map[string]string{"BUILDKITE_API_TOKEN": tt.token})
			if status != tt.status {
				t.Fatalf("exit %d, want %d\n%s", status, tt.status, out)
			}
			savedReport(t, e, artifacts)
			checkAnnotation(t, e, "error", e.rendered(artifacts[0]))
			runs, err := os.ReadFile(filepath.Join(e.record, "docker.log"))
			if err != nil || strings.Count(string(runs), image+" check ") != 2 {
				t.Errorf("docker runs, want the check and the render, each in %s:\n%s", image, runs)
			}
		})
	}
}

func TestGitHubActionsWorkflow(t *testing.T) {
	var w githubWorkflow
	readYAML(t, githubExample, &w)
	version := pinnedVersion(t, w.Jobs["check"].Env)

	t.Run("findings", func(t *testing.T) {
		e := newEnv(t, version, starterPolicy(t))
		job := runGitHub(t, e, githubExample, map[string]string{"BUILDKITE_API_TOKEN": adminToken})
		if job.status["Install tokenctl"] != 0 || job.status["Check tokens"] != 8 || !job.failed {
			t.Fatalf("steps %v, want the install to pass and the check to exit 8\n%s", job.status, job.output)
		}
		if !slices.Equal(job.uploaded, []string{"tokenctl-report.json"}) {
			t.Errorf("uploaded %v, want the JSON report", job.uploaded)
		}
		saved := savedReport(t, e, job.uploaded)
		if saved.Report == nil || job.summary != e.rendered(job.uploaded[0]) {
			t.Errorf("the job summary is not the saved report's Markdown:\n%s", job.summary)
		}
		mustContain(t, job.summary, hackathonToken)
	})
	t.Run("check cannot run", func(t *testing.T) {
		e := newEnv(t, version, starterPolicy(t))
		job := runGitHub(t, e, githubExample, map[string]string{"BUILDKITE_API_TOKEN": unknownToken})
		if job.status["Check tokens"] != 3 {
			t.Fatalf("steps %v, want the check to exit 3\n%s", job.status, job.output)
		}
		mustContain(t, job.summary, "could not run", "(exit status 3)")
		if job.summary != e.rendered("tokenctl-report.json") {
			t.Errorf("the job summary is not the saved failure document's Markdown:\n%s", job.summary)
		}
	})
	t.Run("download does not match its checksum", func(t *testing.T) {
		e := newEnv(t, version, starterPolicy(t))
		e.tamper(version)
		job := runGitHub(t, e, githubExample, map[string]string{"BUILDKITE_API_TOKEN": adminToken})
		if job.status["Install tokenctl"] == 0 || job.status["Check tokens"] != -1 || job.summary != "" {
			t.Fatalf("steps %v, want the install to fail and the check skipped\n%s", job.status, job.output)
		}
	})
}

func mustContain(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%q is missing from:\n%s", p, s)
		}
	}
}
