package app

import (
	"os"
	"runtime/debug"
	"testing"
)

// The settings reach the collector unless the environment says otherwise.
func TestRuntimeApply(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOGC")
	os.Unsetenv("GOMEMLIMIT")
	Runtime{GCPercent: 250, MemoryLimitMiB: 300}.Apply()
	if p := debug.SetGCPercent(100); p != 250 {
		t.Errorf("gc percent %d", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 300<<20 {
		t.Errorf("memory limit %d", l)
	}
	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30)
	Runtime{GCPercent: 250, MemoryLimitMiB: 300}.Apply()
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC set, gc percent %d", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 1<<30 {
		t.Errorf("GOMEMLIMIT set, limit %d", l)
	}
}
