package e2e

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc identifies a process across pid reuse: its pid and its start time
// (in clock ticks since boot, field 22 of /proc/<pid>/stat).
type proc struct {
	pid   int
	start uint64
}

// procStat is what the tests read of /proc/<pid>/stat.
type procStat struct {
	ppid  int
	start uint64
	state byte
}

// readStat reads /proc/<pid>/stat; ok is false if the process is gone.
func readStat(pid int) (st procStat, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return st, false
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses,
	// so the fields are counted from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return st, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return st, false
	}
	st.state = f[0][0]
	st.ppid, _ = strconv.Atoi(f[1])
	st.start, _ = strconv.ParseUint(f[19], 10, 64)
	return st, true
}

// procOf returns the identity of the running process pid.
func procOf(pid int) (proc, bool) {
	st, ok := readStat(pid)
	if !ok || st.state == 'Z' {
		return proc{}, false
	}
	return proc{pid: pid, start: st.start}, true
}

// alive reports whether p still runs: the same process (not a later one
// with its pid) exists and is not a zombie.
func (p proc) alive() bool {
	st, ok := readStat(p.pid)
	return ok && st.start == p.start && st.state != 'Z'
}

func (p proc) String() string {
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/cmdline")
	return fmt.Sprintf("pid %d (%s)", p.pid, strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " ")))
}

// allPIDs lists the pids in /proc.
func allPIDs() []int {
	entries, _ := os.ReadDir("/proc")
	pids := make([]int, 0, len(entries))
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// descendants returns the live processes below root, at any depth.
func descendants(root int) []proc {
	children := make(map[int][]proc)
	for _, pid := range allPIDs() {
		st, ok := readStat(pid)
		if ok && st.state != 'Z' {
			children[st.ppid] = append(children[st.ppid], proc{pid: pid, start: st.start})
		}
	}
	var out []proc
	stack := []int{root}
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range children[pid] {
			out = append(out, c)
			stack = append(stack, c.pid)
		}
	}
	return out
}

// withEnv returns the live processes whose environment holds kv
// (KEY=value) exactly.
func withEnv(kv string) []proc {
	needle := []byte(kv + "\x00")
	var out []proc
	for _, pid := range allPIDs() {
		env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if err != nil || !(bytes.HasPrefix(env, needle) || bytes.Contains(env, append([]byte{0}, needle...))) {
			continue
		}
		if p, ok := procOf(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// waitGone waits until none of procs is alive, and reports those that
// still are when timeout is over.
func waitGone(procs []proc, timeout time.Duration) []proc {
	deadline := time.Now().Add(timeout)
	for {
		var left []proc
		for _, p := range procs {
			if p.alive() {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// assertGone fails the test if any of procs outlives timeout, and then
// kills it: they are processes the test started, through the harness.
func assertGone(t *testing.T, what string, procs []proc, timeout time.Duration) {
	t.Helper()
	for _, p := range waitGone(procs, timeout) {
		t.Errorf("%s: %v still runs", what, p)
		syscall.Kill(p.pid, syscall.SIGKILL)
	}
}

// runtimes returns the live processes below the harness that run the
// program binary (an absolute path).
func (h *harness) runtimes(binary string) []proc {
	var out []proc
	for _, p := range descendants(h.Pid()) {
		if exe, err := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/exe"); err == nil && exe == binary {
			out = append(out, p)
		}
	}
	return out
}
