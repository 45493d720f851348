package main

import (
	"runtime"
	"testing"
)

func TestSetProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	want := max(1, runtime.NumCPU()/2)
	if got := setProcs(func(string) string { return "" }); got != want || runtime.GOMAXPROCS(0) != want {
		t.Errorf("setProcs = %d, GOMAXPROCS %d, want %d", got, runtime.GOMAXPROCS(0), want)
	}
	runtime.GOMAXPROCS(3)
	if got := setProcs(func(k string) string { return map[string]string{"GOMAXPROCS": "3"}[k] }); got != 3 {
		t.Errorf("with GOMAXPROCS set: %d, want it left alone", got)
	}
}
