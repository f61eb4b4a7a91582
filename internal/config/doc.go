// Package config turns command-line flags, the environment and the config
// file into one validated Settings value, and remembers where each value came
// from so `tokenctl config view` can explain it.
//
// Precedence is flag > environment > config file > default, and it is
// viper's: each load makes one viper instance (never the global one) that
// reads the config file, binds every setting's environment variable and
// the command's flags, and holds the defaults; values are read from it.
// Where a value came from is read from the same layers: the flag's
// Changed, whether its variable is set, and viper's InConfig. The API
// token alone has one more layer, the system keychain, between the
// environment and the config file, which viper does not know: it is asked
// only when a command needs the token (Settings.ResolveToken).
//
// The package must not print anything, must not read standard input
// behind its caller's back (it comes in through LoadOptions), and must
// never put the API token into an error, a warning or any formatted
// output: the token travels as a redact.Secret, whose only way out is
// Reveal.
package config
