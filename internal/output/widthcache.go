package output

import "github.com/olekukonko/tablewriter/pkg/twwidth"

// tablewriter memoises the display width of every cell in a shared LRU
// cache behind a mutex. A table of findings has hundreds of thousands of
// distinct cells, each seen a few times: the cache only churns (every
// lookup a miss that evicts), costing more than measuring the cell again,
// which for the ASCII of most cells is a loop over its bytes.
func init() { twwidth.SetCacheCapacity(0) }
