//go:build !linux

package model

func threadCPU() float64 { return 0 }
