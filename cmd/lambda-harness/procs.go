package main

import "runtime"

// setProcs gives the harness half of the machine's CPUs (at least one)
// unless GOMAXPROCS is set. The harness shares the machine with the
// runtimes it serves, and every invoke is a chain of wake-ups across
// processes: with fewer Go threads to wake and to spin looking for work it
// spends less CPU per invoke and answers sooner. On 2 cores, one P gave
// 20% more invokes per second with one client and no fewer with eight (see
// README, Performance).
func setProcs(getenv func(string) string) int {
	if getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	n := max(1, runtime.NumCPU()/2)
	runtime.GOMAXPROCS(n)
	return n
}
