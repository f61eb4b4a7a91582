package bench

// rssUnit is the unit of the peak resident memory the kernel reports for a
// finished process: bytes on macOS.
const rssUnit = 1
