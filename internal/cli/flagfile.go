package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// readFlagFile reads the file a flag names, "-" being standard input (in).
// It reads at most limit+1 bytes, so the caller can tell a file that is too
// large without filling memory. source names the file for the caller's own
// errors; what says what standard input was wanted for.
func readFlagFile(flag, path string, in io.Reader, limit int64, what string) (data []byte, source string, err error) {
	source = flag + " " + path
	var r io.Reader
	if path == "-" {
		source = flag + " - (standard input)"
		if in == nil {
			return nil, source, fmt.Errorf("%s: there is no standard input to read %s from", source, what)
		}
		r = in
	} else {
		f, err := os.Open(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, source, fmt.Errorf("%s: cannot read it: %w", source, err)
		}
		defer f.Close()
		r = f
	}
	if data, err = io.ReadAll(io.LimitReader(r, limit+1)); err != nil {
		return nil, source, fmt.Errorf("%s: cannot read it: %w", source, err)
	}
	return data, source, nil
}
