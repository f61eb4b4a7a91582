package emulator

import (
	"fmt"
	"strings"
	"testing"
)

// Every entry can be answered in both wordings, and the alternate wording
// shares no message with Buildkite's, so a client test under both proves
// the client does not read the words.
func TestErrorTableWordings(t *testing.T) {
	for _, name := range ErrorNames() {
		spec := errorTable[name]
		args := faultArgs(name)
		a, b := fmt.Sprintf(spec.buildkite, args...), fmt.Sprintf(spec.alternate, args...)
		if strings.Contains(a, "%!") || strings.Contains(b, "%!") {
			t.Errorf("%s: the wordings take different arguments: %q / %q", name, a, b)
		}
		if strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) {
			t.Errorf("%s: both wordings say %q", name, a)
		}
		if spec.status != 0 && (spec.status < 200 || spec.status > 599) {
			t.Errorf("%s: status %d", name, spec.status)
		}
	}
}
