package process

import (
	"bytes"
	"os"
	"strconv"
	"sync/atomic"
)

// memory measures the peak memory of a runtime's process tree from /proc:
// the sum of VmHWM (peak resident set) over the main process and its
// descendants. Summing each process's own peak can overstate a peak they
// did not reach together, but it never misses one, and it is what a
// function's REPORT line needs: Max Memory Used.
type memory struct {
	pid  int
	pgid int
	// children says whether the kernel has /proc/<pid>/task/<tid>/children
	// (CONFIG_PROC_CHILDREN); without it descendants are found by scanning
	// /proc for the process group, which costs a read per process.
	children bool
	// peak is the largest sum seen, so that the figure never goes down when
	// a child exits.
	peak atomic.Uint64
}

// procChildren reports whether this kernel lists a task's children in
// /proc.
func procChildren() bool {
	pid := strconv.Itoa(os.Getpid())
	_, err := os.Stat("/proc/self/task/" + pid + "/children")
	return err == nil
}

// sample measures the tree now and returns the peak so far, 0 if /proc
// says nothing about the process.
func (m *memory) sample() uint64 {
	var total uint64
	seen := make(map[int]bool)
	var pids []int
	if m.children {
		pids = []int{m.pid}
	} else {
		pids = groupMembers(m.pgid)
	}
	for len(pids) > 0 {
		pid := pids[len(pids)-1]
		pids = pids[:len(pids)-1]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		total += vmHWM(pid)
		if m.children {
			pids = appendChildren(pids, pid)
		}
	}
	for {
		old := m.peak.Load()
		if total <= old || m.peak.CompareAndSwap(old, total) {
			return max(old, total)
		}
	}
}

// vmHWM returns the peak resident set of process pid in bytes, 0 if it is
// gone or has none (a zombie).
func vmHWM(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			// "VmHWM:\t    1234 kB"
			f := bytes.Fields(v)
			if len(f) == 2 && string(f[1]) == "kB" {
				kb, err := strconv.ParseUint(string(f[0]), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
			return 0
		}
	}
	return 0
}

// appendChildren appends the children of every thread of process pid: a
// child belongs to the thread that forked it.
func appendChildren(pids []int, pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return pids
	}
	for _, t := range tasks {
		b, err := os.ReadFile(dir + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range bytes.Fields(b) {
			if child, err := strconv.Atoi(string(f)); err == nil {
				pids = append(pids, child)
			}
		}
	}
	return pids
}

// groupMembers returns the processes of process group pgid, by scanning
// /proc.
func groupMembers(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, ok := processGroup(pid); ok && g == pgid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processGroup reads the process group of pid from /proc/<pid>/stat, whose
// fields after the parenthesized command name (which may contain spaces
// and parentheses) are: state ppid pgrp ...
func processGroup(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 3 {
		return 0, false
	}
	g, err := strconv.Atoi(string(f[2]))
	return g, err == nil
}
