// Package docscheck holds the tests that keep the documentation true to the
// tree: the package map and the make targets in CONTRIBUTING.md, and the
// links between the Markdown documents. It has no code of its own.
package docscheck
