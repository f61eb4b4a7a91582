package config

// SettingDoc is one setting as the documentation lists it.
type SettingDoc struct {
	Key     string // as in the config file
	Flag    string // as typed: "--org", "-o, --output"
	Env     string
	Default string // "" when there is none
	Text    string // what it is; `code spans` only
}

// settingText says what each setting is, for the documentation: an
// array rather than a map, which would be built at start-up.
var settingText = [...]struct{ key, flag, text string }{
	{KeyOrg, "--org", "the organization (slug or GraphQL id) of commands about one organization"},
	{KeyAPIToken, "--api-token-file FILE|-", "the API token; the flag reads it from a file or standard input, never from the command line; between the environment and the config file comes the system keychain"},
	{KeyGraphQLEndpoint, "--graphql-endpoint", "Buildkite's GraphQL endpoint; plain `http://` only on loopback"},
	{KeyRESTEndpoint, "--rest-endpoint", "Buildkite's REST API base; plain `http://` only on loopback"},
	{KeyOutput, "-o, --output", "the output format, for the commands that print it"},
	{KeyAuditLog, "--audit-log", "the file revocations and setting changes append their audit records to (JSON Lines)"},
	{KeyTimeout, "--timeout", "the time limit for each API request, answer included"},
	{KeyPageSize, "--page-size", "tokens per listing request, 1–500"},
	{KeyConcurrency, "--concurrency", "revocations in flight at once, 1–32"},
}

// settingTextOf is what settingText says of key.
func settingTextOf(key string) (flag, text string) {
	for _, t := range settingText {
		if t.key == key {
			return t.flag, t.text
		}
	}
	return "", ""
}

// DocumentedSettings returns every setting in the order `config view`
// lists them, with its flag, environment variable and default. The
// settings table of docs/contracts/configuration.md is generated from it.
func DocumentedSettings() []SettingDoc {
	docs := make([]SettingDoc, len(keySpecs))
	for i, s := range keySpecs {
		flag, text := settingTextOf(s.key)
		docs[i] = SettingDoc{Key: s.key, Flag: flag, Env: s.env, Default: s.def, Text: text}
	}
	return docs
}

// EnvDoc is one environment variable tokenctl reads.
type EnvDoc struct {
	Name string
	Text string // `code spans` only
}

// Environment returns every environment variable tokenctl reads, wherever
// it reads it: the settings' first, then the others. The ENVIRONMENT section
// of the man pages and the table in docs/contracts/configuration.md are
// generated from it, and a test (internal/docscheck) fails when tokenctl's
// code reads a variable that is not listed here.
func Environment() []EnvDoc {
	var env []EnvDoc
	for _, s := range DocumentedSettings() {
		text := "the `" + s.Key + "` setting: " + s.Text
		if s.Default != "" {
			text += " (default `" + s.Default + "`)"
		}
		env = append(env, EnvDoc{s.Env, text})
	}
	return append(env,
		EnvDoc{EnvConfigPath, "the config file to read and write, instead of the default path"},
		EnvDoc{EnvCacheDir, "the directory tokenctl remembers which token it is using in, instead of the default"},
		EnvDoc{"XDG_CONFIG_HOME", "when set to an absolute path, the config file is `$XDG_CONFIG_HOME/tokenctl/config.yaml`"},
		EnvDoc{"XDG_CACHE_HOME", "on Linux and other Unix systems but macOS, when set to an absolute path, the cache is `$XDG_CACHE_HOME/tokenctl`"},
		EnvDoc{"HOME", "the home directory, where the config file and the cache are by default"},
		EnvDoc{"USERPROFILE", "on Windows, the home directory when `HOME` is not set"},
		EnvDoc{"LocalAppData", "on Windows, where the cache is by default"},
		EnvDoc{"NO_COLOR", "when set, to any value, nothing is coloured (it wins over `CLICOLOR_FORCE`)"},
		EnvDoc{"CLICOLOR_FORCE", "set to anything but `0`, tables are coloured even when standard output is not a terminal"},
		EnvDoc{"TERM", "`dumb` turns colour off"},
		EnvDoc{"TOKENCTL_PAGER", "the pager a table on a terminal is shown through, before `PAGER`; empty or `cat` turns paging off"},
		EnvDoc{"PAGER", "the pager when `TOKENCTL_PAGER` is not set (default `less`, when installed)"},
		EnvDoc{"LESS", "the options of `less` as a pager (default `FRX`)"},
		EnvDoc{"LV", "the options of `lv` as a pager (default `-c`)"},
		EnvDoc{"GOGC", "when set, the Go runtime's garbage collection as it says, instead of tokenctl's pacing (collecting less often while little memory is held)"},
	)
}

// EnvironmentNames lists the names of the variables Environment documents.
func EnvironmentNames() []string {
	env := Environment()
	names := make([]string, len(env))
	for i, e := range env {
		names[i] = e.Name
	}
	return names
}

// FileDoc is one file tokenctl reads or writes.
type FileDoc struct {
	Path string // `code spans` only
	Text string // `code spans` only
}

// Files returns the files tokenctl reads or writes on its own. The FILES
// section of the man pages and the table in
// docs/contracts/configuration.md are generated from it.
func Files() []FileDoc {
	return []FileDoc{
		{"`~/.config/tokenctl/config.yaml`", "the config file (`$XDG_CONFIG_HOME/tokenctl/config.yaml` when that is set; `" + EnvConfigPath + "` names another), written by `tokenctl config set` with mode 0600"},
		{"`~/.cache/tokenctl/`", "the cache of which token tokenctl is using and the id each organization lists it under, never the token itself: 0600 files in a 0700 directory (`$XDG_CACHE_HOME/tokenctl` when that is set, `~/Library/Caches/tokenctl` on macOS, `%LocalAppData%\\tokenctl` on Windows; `" + EnvCacheDir + "` names another; `--" + FlagNoCache + "` skips it)"},
		{"the system keychain, service `tokenctl:ENDPOINT`", "the API token saved by `tokenctl config set api-token -`, one per GraphQL endpoint (`ENDPOINT`), account `api-token`"},
		{"the audit log", "the file named by `--audit-log`, `TOKENCTL_AUDIT_LOG` or `audit-log` in the config file: JSON Lines appended, created with mode 0600"},
	}
}
