package container

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cgroupRoot is where Linux mounts the cgroup filesystems.
const cgroupRoot = "/sys/fs/cgroup"

// cgroupMemoryFile returns the file under cgroupRoot that holds the memory
// of container id, whose main process is pid as procRoot (/proc) shows it,
// and whether the file holds the peak rather than the current usage; "" if
// the harness cannot read it. The cgroup's path must name the container
// (Docker's do, under either cgroup driver): a harness in another PID
// namespace than the engine's sees another process under that pid, or
// none.
func cgroupMemoryFile(procRoot, cgroupRoot string, pid int, id string) (string, bool) {
	if pid <= 0 || id == "" {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return "", false
	}
	var unified string
	for line := range strings.Lines(string(b)) {
		// hierarchy-ID:controllers:path (man 7 cgroups)
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 || !strings.Contains(parts[2], id) {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			unified = parts[2]
			continue
		}
		if slices.Contains(strings.Split(parts[1], ","), "memory") {
			f := filepath.Join(cgroupRoot, parts[1], parts[2], "memory.max_usage_in_bytes")
			if readable(f) {
				return f, true
			}
		}
	}
	if unified != "" {
		// memory.peak came with Linux 5.19.
		for _, name := range []string{"memory.peak", "memory.current"} {
			if f := filepath.Join(cgroupRoot, unified, name); readable(f) {
				return f, name == "memory.peak"
			}
		}
	}
	return "", false
}

func readable(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
