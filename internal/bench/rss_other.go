//go:build !darwin

package bench

// rssUnit is the unit of the peak resident memory the kernel reports for a
// finished process: kilobytes on Linux and the BSDs.
const rssUnit = 1024
