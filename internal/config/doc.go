// Package config turns command-line flags, the environment and the config
// file into one validated Settings value, and remembers where each value came
// from so `tokenctl config view` can explain it.
//
// Precedence is flag > environment > config file > default; the API token
// alone has one more layer, the system keychain, between the environment
// and the config file, asked only when a command needs the token. Every load uses a
// fresh viper instance, so loads never leak into each other (tests run many).
// viper holds the values, but Load decides the precedence itself: viper
// reads only the process environment (os.LookupEnv), while Load takes the
// environment from its caller, and viper cannot say where a value came
// from, which `config view` shows. Binding flags and environment variables
// to viper would give up the first and still need the second written here.
//
// The package must not print anything, must not read the process environment
// or standard input behind its caller's back (both come in through
// LoadInput), and must never put the API token into an error, a warning or
// any formatted output: the token travels as a redact.Secret, whose only way out is
// Reveal.
package config
