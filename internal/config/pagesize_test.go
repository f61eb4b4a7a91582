package config

import (
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// --page-size is checked here and used by the client: both must name the
// same largest page and the same default.
func TestPageSizeAgreesWithTheClient(t *testing.T) {
	if MaxPageSize != buildkite.MaxPageSize || DefaultPageSize != buildkite.DefaultPageSize {
		t.Errorf("page sizes: config max %d default %d, client max %d default %d",
			MaxPageSize, DefaultPageSize, buildkite.MaxPageSize, buildkite.DefaultPageSize)
	}
}
