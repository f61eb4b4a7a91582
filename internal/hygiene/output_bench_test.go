package hygiene

import (
	"io"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/output"
)

// BenchmarkCheckOutput writes the report of a check of 5,000 tokens as
// JSON and as a table, into a pipe: the table should cost no more than
// the JSON.
func BenchmarkCheckOutput(b *testing.B) {
	at := time.Now()
	r := Check(DefaultPolicy(), []Organization{largeOrganization()}, at)
	for _, format := range []output.Format{output.JSON, output.Table} {
		b.Run(string(format), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if format == output.Table {
					err = r.WriteTable(io.Discard, output.TableStyle{Format: output.Table, Now: at})
				} else {
					err = r.WriteJSON(io.Discard)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(r.Findings)), "findings")
		})
	}
}
