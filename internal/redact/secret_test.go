package redact

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestEmptySecretPrintsEmpty(t *testing.T) {
	var sec Secret
	if got := fmt.Sprintf("%v|%s|%q", sec, sec, sec); got != `||""` {
		t.Errorf("got %s", got)
	}
	if b, _ := json.Marshal(sec); string(b) != `""` {
		t.Errorf("json %s", b)
	}
}
