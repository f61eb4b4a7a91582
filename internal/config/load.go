package config

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/tokenctl/tokenctl/internal/inputfile"
)

// LoadOptions is what Load reads besides the command's flags, the process
// environment and the config file.
type LoadOptions struct {
	// Stdin is read only for --api-token-file -; nil cannot be read.
	Stdin io.Reader
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

// Load resolves every setting from flags (only those that exist in flags
// are consulted, so commands may define a subset), the environment, the
// config file (DefaultPath) and the defaults, validates it and records its
// source. viper decides which layer wins; the keychain, which viper does
// not know, is left to ResolveToken. All invalid settings are reported
// together, one per line.
func Load(flags *pflag.FlagSet, opts LoadOptions) (*Settings, error) {
	path, err := DefaultPath()
	if err != nil {
		return nil, err
	}
	v, warnings, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	s := &Settings{ConfigFile: path, Sources: make(map[string]Source, len(keySpecs)), Warnings: warnings}
	if f := lookupFlag(flags, FlagNoCache); f == nil || f.Value.String() != "true" {
		if s.CacheDir, err = CacheDir(); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, spec := range keySpecs {
		if err := bind(v, spec, flags); err != nil {
			return nil, err
		}
		if spec.key == KeyAPIToken {
			if opts.WithoutToken {
				s.Sources[spec.key] = SourceDefault
				continue
			}
			if err := bindTokenFile(v, flags, opts.Stdin); err != nil {
				errs = append(errs, err)
				s.Sources[spec.key] = tokenFileSource(flags)
				continue
			}
		}
		o := origin{spec: spec, source: source(v, spec, flags), path: path}
		if o.source == SourceFile {
			o.path = lookupFlag(flags, FlagAPITokenFile).Value.String()
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
	s.fileTokenEndpoint = v.GetString(keyTokenEndpoint)
	if err := s.deferToken(opts.Keychain, !opts.WithoutToken); err != nil {
		return nil, err
	}
	return s, nil
}

// bind gives viper a setting's default, its environment variable and its
// flag, when the command has it. The token's flag names a file, not the
// token: bindTokenFile binds what the file holds instead.
func bind(v *viper.Viper, spec keySpec, flags *pflag.FlagSet) error {
	if spec.def != "" {
		v.SetDefault(spec.key, spec.def)
	}
	if err := v.BindEnv(spec.key, spec.env); err != nil {
		return fmt.Errorf("binding %s: %w", spec.env, err)
	}
	if f := lookupFlag(flags, spec.flag); f != nil && spec.key != KeyAPIToken {
		if err := v.BindPFlag(spec.key, f); err != nil {
			return fmt.Errorf("binding --%s: %w", spec.flag, err)
		}
	}
	return nil
}

// source says which of viper's layers the value of spec's key came from:
// the flag if it was given, else the environment variable if it is set
// (and not empty, which viper takes as unset), else the config file if it
// holds the key, else the default.
func source(v *viper.Viper, spec keySpec, flags *pflag.FlagSet) Source {
	if f := lookupFlag(flags, spec.flag); f != nil && f.Changed {
		if spec.key == KeyAPIToken {
			return tokenFileSource(flags)
		}
		return SourceFlag
	}
	if val, ok := os.LookupEnv(spec.env); ok && val != "" {
		return SourceEnv
	}
	if v.InConfig(spec.key) {
		return SourceConfig
	}
	return SourceDefault
}

func lookupFlag(fs *pflag.FlagSet, name string) *pflag.Flag {
	if fs == nil {
		return nil
	}
	return fs.Lookup(name)
}

// tokenFile is the --api-token-file flag as viper sees it: given, its
// value is the token the file held.
type tokenFile struct {
	flag  *pflag.Flag
	token string
}

func (t tokenFile) HasChanged() bool    { return t.flag.Changed }
func (t tokenFile) Name() string        { return t.flag.Name }
func (t tokenFile) ValueString() string { return t.token }
func (t tokenFile) ValueType() string   { return "string" }

// bindTokenFile reads the file named by --api-token-file, when it was
// given, and binds what it holds as the token's flag layer. The error
// names the flag and the file, never what the file holds.
func bindTokenFile(v *viper.Viper, flags *pflag.FlagSet, stdin io.Reader) error {
	f := lookupFlag(flags, FlagAPITokenFile)
	if f == nil || !f.Changed {
		return nil
	}
	raw, err := readTokenFlag(f.Value.String(), stdin)
	if err != nil {
		o := origin{spec: keySpec{key: KeyAPIToken}, source: tokenFileSource(flags), path: f.Value.String()}
		return invalidf("%s: %s", o.describeSecret(), err)
	}
	return v.BindFlagValue(KeyAPIToken, tokenFile{flag: f, token: raw})
}

// tokenFileSource is where --api-token-file reads: a file, or stdin.
func tokenFileSource(flags *pflag.FlagSet) Source {
	if f := lookupFlag(flags, FlagAPITokenFile); f != nil && f.Value.String() == inputfile.Stdin {
		return SourceStdin
	}
	return SourceFile
}

// readTokenFlag reads the token file named by --api-token-file ("-" is
// stdin). Errors describe the problem only; the caller names the source.
func readTokenFlag(arg string, stdin io.Reader) (string, error) {
	data, err := inputfile.Read(arg, stdin, MaxAPITokenFile, "the token")
	if errors.Is(err, inputfile.ErrTooLarge) {
		return "", errors.New("is too large to hold an API token")
	}
	if err != nil {
		return "", err
	}
	return string(data), nil
}
