package app

import (
	"os"
	"runtime/debug"
)

// Runtime tunes the Go garbage collector for the server. Clearance
// allocates per document and keeps little, so collecting less often
// (a larger GC percent) saves CPU; the memory limit bounds the heap that
// lets grow. GOGC and GOMEMLIMIT in the environment take precedence.
type Runtime struct {
	GCPercent      int   `json:"gc_percent"`       // heap growth between collections, percent of the live heap [400]
	MemoryLimitMiB int64 `json:"memory_limit_mib"` // soft limit of the Go heap; 0 for none [2048]
}

// DefaultRuntime: measured in docs/benchmarks.md (e-commerce lists).
func DefaultRuntime() Runtime { return Runtime{GCPercent: 400, MemoryLimitMiB: 2048} }

// Apply sets the collector, except what the environment sets.
func (r Runtime) Apply() {
	if _, ok := os.LookupEnv("GOGC"); !ok && r.GCPercent != 0 {
		debug.SetGCPercent(r.GCPercent)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok && r.MemoryLimitMiB > 0 {
		debug.SetMemoryLimit(r.MemoryLimitMiB << 20)
	}
}
