package emulator

// ReachedFragments lets the external tests build the per-operation
// documents genqlient sends with the emulator's own fragment walk.
var ReachedFragments = reachedFragments
