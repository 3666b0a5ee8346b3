//go:build !linux

package tariff

// processCPU is not measured here; the benchmark then reports wall time only.
func processCPU() int64 { return 0 }
