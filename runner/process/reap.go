package process

import (
	"context"
	"encoding/binary"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Running as PID 1 — the emulator a container's entrypoint execs — the
// harness inherits every process orphaned in the container: a wrapper's
// background children, a runtime's helpers killed with their group. The
// kernel leaves them as zombies until PID 1 waits for them. ReapOrphans
// does that for the processes the launcher did not start itself, whose
// exits belong to their exec.Cmd.Wait.

// pids tracks the runtimes' main processes, which ReapOrphans leaves alone.
type pids struct {
	mu  sync.Mutex // protects set
	set map[int]struct{}
}

func (p *pids) add(pid int) {
	p.mu.Lock()
	if p.set == nil {
		p.set = make(map[int]struct{})
	}
	p.set[pid] = struct{}{}
	p.mu.Unlock()
}

func (p *pids) remove(pid int) {
	p.mu.Lock()
	delete(p.set, pid)
	p.mu.Unlock()
}

func (p *pids) has(pid int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.set[pid]
	return ok
}

const (
	pAll = 0 // waitid's idtype for any child
	// siginfoPid is the offset of si_pid in siginfo_t on 64-bit Linux.
	siginfoPid = 16
)

// ReapOrphans waits for exited children that are not runtimes this launcher
// started, until ctx is done. Call it when the harness is PID 1.
func (l *Launcher) ReapOrphans(ctx context.Context) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGCHLD)
	defer signal.Stop(sigs)
	tick := time.NewTicker(time.Second) // a SIGCHLD may be merged with another
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sigs:
		case <-tick.C:
		}
		l.reapOnce()
	}
}

// reapOnce reaps every exited orphan. It looks before it reaps (WNOWAIT):
// an exited runtime is left to its own Wait, which collects its status.
func (l *Launcher) reapOnce() {
	for range 1000 {
		var info [128]byte
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pAll, 0,
			uintptr(unsafe.Pointer(&info[0])), syscall.WEXITED|syscall.WNOHANG|syscall.WNOWAIT, 0, 0)
		if errno != 0 {
			return // ECHILD: no children at all
		}
		pid := int(int32(binary.NativeEndian.Uint32(info[siginfoPid:])))
		if pid == 0 || l.runtimes.has(pid) {
			// Nothing exited, or the first to have exited is a runtime
			// whose Wait is about to collect it; the next round sees past it.
			return
		}
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	}
}
