// Package audittest reads an audit log back in tests, strictly: every line
// must be one whole record of the audit log's shape.
package audittest

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/audit"
)

// Records is the audit log at path, a record a line, failing the test on a
// line that is not one whole JSON record or names a field a record has not.
func Records(t testing.TB, path string) []audit.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []audit.Record
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		var rec audit.Record
		if err := dec.Decode(&rec); err != nil || dec.More() {
			t.Fatalf("audit log line %d is not one JSON record (%v): %q", n, err, sc.Text())
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}
