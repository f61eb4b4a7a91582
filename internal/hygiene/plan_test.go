package hygiene

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestReadPlan(t *testing.T) {
	plan := NewPlan(goldenReport(t), goldenPolicy(t), now)
	if len(plan.Revocations) != 1 || plan.Revocations[0].Token.UUID != "11111111-1111-4111-8111-111111111111" {
		t.Fatalf("plan = %+v", plan.Revocations)
	}
	good, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPlan(good, "plan.json", now.Add(23*time.Hour), DefaultMaxPlanAge); err != nil {
		t.Fatalf("a good plan was refused: %v", err)
	}
	tampered := strings.Replace(string(good), "CI deploy bot", "CI deploy bot!", 1)
	// Edits made consistently, the digest recomputed as anyone can.
	reDigest := func(edit func(*Plan)) string {
		var p Plan
		if err := json.Unmarshal(good, &p); err != nil {
			t.Fatal(err)
		}
		edit(&p)
		p.Digest = p.digest()
		data, _ := json.Marshal(p)
		return string(data)
	}
	otherPolicy := reDigest(func(p *Plan) {
		p.Policy = json.RawMessage(strings.Replace(string(p.Policy), `"after":"365d"`, `"after":"1d"`, 1))
	})
	noPolicy := reDigest(func(p *Plan) { p.Policy = nil })
	version1 := reDigest(func(p *Plan) { p.SchemaVersion = 1 })
	tests := []struct {
		name   string
		data   string
		at     time.Time
		maxAge time.Duration
		want   string
	}{
		{"too old", string(good), now.Add(25 * time.Hour), DefaultMaxPlanAge, "the plan was made 1d ago (2026-06-01T12:00:00Z), more than --max-plan-age 1d"},
		{"shorter max age", string(good), now.Add(2 * time.Hour), time.Hour, "more than --max-plan-age 1h0m0s"},
		{"from the future", string(good), now.Add(-time.Hour), DefaultMaxPlanAge, "in the future"},
		{"edited", tampered, now, DefaultMaxPlanAge, "the plan's digest does not match its content"},
		{"no digest", strings.Replace(string(good), plan.Digest, "", 1), now, DefaultMaxPlanAge, "digest does not match"},
		{"a report", `{"schemaVersion": 1, "findings": []}`, now, DefaultMaxPlanAge, "not a revocation plan"},
		{"policy edited", otherPolicy, now, DefaultMaxPlanAge, "the plan's policy does not match its policyDigest"},
		{"no policy", noPolicy, now, DefaultMaxPlanAge, "the plan has no policy to judge its tokens with"},
		{"made by an older tokenctl", version1, now, DefaultMaxPlanAge, "plan schemaVersion 1, this tokenctl reads 2"},
		{"not json", `revoke everything`, now, DefaultMaxPlanAge, "not a revocation plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPlan([]byte(tt.data), "plan.json", tt.at, tt.maxAge)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "plan.json: ") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPlanAgeErrorIsTooOld(t *testing.T) {
	plan, _ := json.Marshal(NewPlan(goldenReport(t), goldenPolicy(t), now))
	_, err := ReadPlan(plan, "p", now.Add(48*time.Hour), DefaultMaxPlanAge)
	if !errors.Is(err, ErrPlanTooOld) || strings.Contains(err.Error(), "plan too old") {
		t.Errorf("err = %v", err)
	}
	_, err = ReadPlan([]byte("{}"), "p", now, DefaultMaxPlanAge)
	if errors.Is(err, ErrPlanTooOld) {
		t.Errorf("a malformed plan counts as too old: %v", err)
	}
}
