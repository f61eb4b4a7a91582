// Package document holds the documents tokenctl prints (-o json, yaml,
// csv and the tables built from them) and the shapes they share: an
// organization, a user, a token. Their JSON is a contract: fields are only
// ever added, never renamed, reordered or made non-null. Each shape has a
// String for people. The package builds documents from the API client's
// values; it never talks to the API, prints or decides policy.
package document
