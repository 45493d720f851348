package container

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCgroupMemoryFile(t *testing.T) {
	const id = "3f1c0e5a9b7d"
	for _, c := range []struct {
		name     string
		cgroup   string   // /proc/42/cgroup
		files    []string // under the cgroup root
		want     string
		wantPeak bool
	}{
		{"cgroup v1, cgroupfs driver",
			"12:pids:/docker/" + id + "\n4:memory:/docker/" + id + "\n0::/\n",
			[]string{"memory/docker/" + id + "/memory.max_usage_in_bytes"},
			"memory/docker/" + id + "/memory.max_usage_in_bytes", true},
		{"cgroup v2, systemd driver, Linux 5.19+",
			"0::/system.slice/docker-" + id + ".scope\n",
			[]string{"system.slice/docker-" + id + ".scope/memory.peak", "system.slice/docker-" + id + ".scope/memory.current"},
			"system.slice/docker-" + id + ".scope/memory.peak", true},
		{"cgroup v2, older kernel",
			"0::/system.slice/docker-" + id + ".scope\n",
			[]string{"system.slice/docker-" + id + ".scope/memory.current"},
			"system.slice/docker-" + id + ".scope/memory.current", false},
		{"another container's process (another PID namespace)",
			"4:memory:/docker/0123456789ab\n",
			[]string{"memory/docker/0123456789ab/memory.max_usage_in_bytes"},
			"", false},
		{"the cgroups are not mounted here",
			"4:memory:/docker/" + id + "\n", nil, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			proc, root := t.TempDir(), t.TempDir()
			write(t, filepath.Join(proc, "42", "cgroup"), c.cgroup)
			for _, f := range c.files {
				write(t, filepath.Join(root, f), "1234\n")
			}
			got, peak := cgroupMemoryFile(proc, root, 42, id)
			want := ""
			if c.want != "" {
				want = filepath.Join(root, c.want)
			}
			if got != want || peak != c.wantPeak {
				t.Errorf("cgroupMemoryFile = %q, %v; want %q, %v", got, peak, want, c.wantPeak)
			}
		})
	}
	if got, _ := cgroupMemoryFile(t.TempDir(), t.TempDir(), 42, id); got != "" {
		t.Errorf("no such process: %q", got)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
