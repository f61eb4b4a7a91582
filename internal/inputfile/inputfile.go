// Package inputfile reads the file a flag or argument names, "-" being
// standard input, never more than a size limit. It is the one reader for
// --from-file, --token-value-file, --api-token-file and `config set
// api-token -`. Its errors describe the problem, never the content (which
// may be a secret); callers name the input and say what to do.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Stdin is the name that stands for standard input.
const Stdin = "-"

// ErrTooLarge is the error for an input longer than the limit. It is found
// after reading limit+1 bytes, so a wrong file (a log, a disk image) does
// not fill memory.
var ErrTooLarge = errors.New("too large")

// Read returns what path holds, or what stdin holds when path is "-",
// reading at most limit bytes. what says what standard input was wanted
// for, for the error when there is none.
func Read(path string, stdin io.Reader, limit int64, what string) ([]byte, error) {
	var r io.Reader
	if path == Stdin {
		if stdin == nil {
			return nil, fmt.Errorf("no standard input to read %s from", what)
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			// The caller names the file; the path in *fs.PathError would
			// say it twice.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("cannot read it: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, ErrTooLarge
	}
	return data, nil
}

// Describe names the input a flag gave, for messages: "--from-file
// tokens.txt", or "--from-file - (standard input)".
func Describe(flag, path string) string {
	if path == Stdin {
		return flag + " - (standard input)"
	}
	return flag + " " + path
}
