package hygiene

import (
	"io"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/output"
)

// BenchmarkCheckOutput writes the report of a check of 5,000 tokens as
// JSON, as a table and as Markdown, into a pipe: the table and the
// Markdown should cost no more than the JSON, in time and in what they
// allocate.
func BenchmarkCheckOutput(b *testing.B) {
	at := time.Now()
	r := Check(DefaultPolicy(), []Organization{largeOrganization()}, at)
	for _, format := range []output.Format{output.JSON, output.Table, output.Markdown} {
		b.Run(string(format), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				switch format {
				case output.Table:
					err = r.WriteTable(io.Discard, output.TableStyle{Format: output.Table, Now: at})
				case output.Markdown:
					err = r.WriteMarkdown(io.Discard, AnnotationLimit)
				default:
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
