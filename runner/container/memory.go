package container

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/moby/client"
)

// Measuring memory. The engine's stats API is no way to answer
// MaxMemoryBytes on the spot: its collector samples every container once a
// second, and a one-shot request (stream=false&one-shot=true) waits for
// the collector's next round, up to a second (measured on Docker 20.10).
// So a container's memory is watched in the background instead:
//
//   - where the engine runs on this host and the harness sees its cgroups,
//     straight from the container's cgroup: the peak the kernel keeps
//     (memory.max_usage_in_bytes under cgroup v1, memory.peak under cgroup
//     v2 on Linux 5.19 and later), read when asked, or else the usage
//     (memory.current), sampled every sampleEvery;
//   - elsewhere (Docker Desktop, a remote engine, a harness in a
//     container), from a stream of the engine's stats, one a second, with
//     the kernel's peak under cgroup v1 and the running maximum of the
//     usage under cgroup v2.
//
// Either way the figure never goes down.
const (
	sampleEvery = 100 * time.Millisecond
	// firstFigureWait bounds how long MaxMemoryBytes waits for the first
	// figure of a container that has just started: one round of the
	// engine's stats collector, and a little more.
	firstFigureWait = 1100 * time.Millisecond
)

// memory measures one container's peak memory.
type memory struct {
	cli *client.Client
	id  string
	log *slog.Logger
	// cgroupRoot is where the cgroups are mounted, cgroupRoot but in tests.
	cgroupRoot string
	peak       atomic.Uint64
	// ready is closed once the first figure is known, or none can be had.
	ready     chan struct{}
	readyOnce sync.Once
	// file is the cgroup file to read, "" if none; peakFile says it holds
	// the peak rather than the usage. Both are set before ready is closed.
	file     string
	peakFile bool
}

func newMemory(cli *client.Client, id string, log *slog.Logger, cgroupRoot string) *memory {
	return &memory{cli: cli, id: id, log: log, cgroupRoot: cgroupRoot, ready: make(chan struct{})}
}

// statsMemory is the part of the engine's stats that is read.
type statsMemory struct {
	MemoryStats struct {
		Usage    uint64 `json:"usage"`
		MaxUsage uint64 `json:"max_usage"`
	} `json:"memory_stats"`
}

// watch finds the container's cgroup from its main process, pid, and keeps
// the figure up to date until ctx ends (at the container's exit).
func (m *memory) watch(ctx context.Context, pid int) {
	defer m.setReady()
	if file, peak := cgroupMemoryFile("/proc", m.cgroupRoot, pid, m.id); file != "" {
		m.file, m.peakFile = file, peak
		m.log.Debug("memory measured from the container's cgroup", "file", file)
		m.readFile()
		m.setReady()
		if peak {
			return // the kernel keeps it: read when asked
		}
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				m.readFile()
			}
		}
	}
	m.log.Debug("memory measured from the engine's stats")
	res, err := m.cli.ContainerStats(ctx, m.id, client.ContainerStatsOptions{Stream: true})
	if err != nil {
		return
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var s statsMemory
		if err := dec.Decode(&s); err != nil {
			return // the container exited, or ctx ended
		}
		m.raise(max(s.MemoryStats.Usage, s.MemoryStats.MaxUsage))
		m.setReady()
	}
}

func (m *memory) setReady() { m.readyOnce.Do(func() { close(m.ready) }) }

// current returns the peak so far, reading the cgroup file first if there
// is one. It waits for the first figure, at most firstFigureWait or until
// exited is closed.
func (m *memory) current(exited <-chan struct{}) uint64 {
	t := time.NewTimer(firstFigureWait)
	defer t.Stop()
	select {
	case <-m.ready:
		if m.file != "" {
			m.readFile()
		}
	case <-exited:
	case <-t.C:
	}
	return m.peak.Load()
}

// readFile raises the peak to the figure in the cgroup file.
func (m *memory) readFile() {
	b, err := os.ReadFile(m.file)
	if err != nil {
		return // the container is gone
	}
	if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil {
		m.raise(v)
	}
}

// raise sets the peak to v if v is higher.
func (m *memory) raise(v uint64) {
	for {
		old := m.peak.Load()
		if v <= old || m.peak.CompareAndSwap(old, v) {
			return
		}
	}
}
