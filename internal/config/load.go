package config

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/tokenctl/tokenctl/internal/inputfile"
)

// Env looks up an environment variable; os.LookupEnv in production, a map
// in tests.
type Env func(key string) (string, bool)

// LoadInput is everything Load reads from. Nothing is taken from the process
// itself: a nil Env is an empty environment and a nil Stdin cannot be read.
type LoadInput struct {
	// Flags holds the command's parsed flags. Only flags that exist in it
	// are consulted, so commands may define a subset.
	Flags *pflag.FlagSet
	Env   Env
	// Stdin is read only for --api-token-file -.
	Stdin io.Reader
	// ConfigPath is the config file to read; "" means DefaultPath(Env).
	ConfigPath string
	// Keychain is the system keychain, asked for the token only when
	// neither the flag nor the environment gave one, and only once the
	// token is needed (Settings.ResolveToken); nil means there is none.
	Keychain Keychain
	// WithoutToken is for the commands that store or remove the token
	// rather than use it: the token is neither read (so --api-token-file -
	// leaves standard input alone) nor checked (so a broken one can be
	// replaced or removed).
	WithoutToken bool
}

// MaxAPITokenFile bounds what --api-token-file and `config set api-token -`
// read, so pointing them at a large or endless file (a log, /dev/zero)
// fails fast instead of filling memory.
const MaxAPITokenFile = 64 << 10

// Load resolves every setting (flag > env > config file > default; for the
// token, the keychain comes before the config file, see ResolveToken),
// validates it and records its source. All invalid settings are reported
// together, one per line.
func Load(in LoadInput) (*Settings, error) {
	env := in.Env
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	path := in.ConfigPath
	if path == "" {
		path = DefaultPath(env)
	}
	cf, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}

	v := viper.New()
	fileValues := make(map[string]any, len(cf.values))
	for k, val := range cf.values {
		fileValues[k] = val
	}
	if err := v.MergeConfigMap(fileValues); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}

	s := &Settings{ConfigFile: path, Sources: make(map[string]Source, len(keySpecs)), Warnings: cf.warnings}
	if f := lookupFlag(in.Flags, FlagNoCache); f == nil || f.Value.String() != "true" {
		s.CacheDir = CacheDir(env)
	}
	var errs []error
	for _, spec := range keySpecs {
		if in.WithoutToken && spec.key == KeyAPIToken {
			s.Sources[spec.key] = SourceDefault
			continue
		}
		if spec.def != "" {
			v.SetDefault(spec.key, spec.def)
		}
		o := origin{spec: spec, source: SourceDefault, path: path}
		flag := lookupFlag(in.Flags, spec.flag)
		envValue, envSet := env(spec.env)
		switch {
		case flag != nil && flag.Changed && spec.key == KeyAPIToken:
			// The flag names where the token is, not the token.
			raw, src, err := readTokenFlag(flag.Value.String(), in.Stdin)
			o.source, o.path = src, flag.Value.String()
			if err != nil {
				errs = append(errs, invalidf("%s: %s", o.describeSecret(), err))
				s.Sources[spec.key] = o.source
				continue
			}
			v.Set(spec.key, raw)
		case flag != nil && flag.Changed:
			o.source = SourceFlag
			if err := v.BindPFlag(spec.key, flag); err != nil {
				return nil, fmt.Errorf("binding --%s: %w", spec.flag, err)
			}
		case envSet && envValue != "":
			// viper reads only the real process environment, so injected
			// values go in as overrides. Doing it only when the flag was not
			// given keeps flag > env.
			o.source = SourceEnv
			v.Set(spec.key, envValue)
		case v.InConfig(spec.key):
			o.source = SourceConfig
		}
		s.Sources[spec.key] = o.source
		if o.source == SourceDefault && spec.def == "" {
			continue // nothing to validate: the setting is simply unset
		}
		if err := apply(s, o, v.GetString(spec.key)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.deferToken(in.Keychain, !in.WithoutToken)
	return s, nil
}

func lookupFlag(fs *pflag.FlagSet, name string) *pflag.Flag {
	if fs == nil {
		return nil
	}
	return fs.Lookup(name)
}

// readTokenFlag reads the token file named by --api-token-file ("-" is
// stdin). Errors describe the problem only; the caller names the source.
func readTokenFlag(arg string, stdin io.Reader) (string, Source, error) {
	src := SourceFile
	if arg == inputfile.Stdin {
		src = SourceStdin
	}
	data, err := inputfile.Read(arg, stdin, MaxAPITokenFile, "the token")
	if errors.Is(err, inputfile.ErrTooLarge) {
		return "", src, errors.New("is too large to hold an API token")
	}
	if err != nil {
		return "", src, err
	}
	return string(data), src, nil
}
