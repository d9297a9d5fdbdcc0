package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuUse is CPU time (user + system) spent so far, split by who spent it,
// read from /proc: on a machine with two cores, where the app, PostgreSQL
// and the load generator share the processors, the CPU time a registration
// costs is what bounds the rate. Zero where /proc is missing.
type cpuUse struct {
	Agora    time.Duration // the agora process
	Postgres time.Duration // every PostgreSQL process, and those it has reaped (connections that ended)
	Self     time.Duration // this test process: the HTTP load generator
	Children time.Duration // this process's reaped children: pgbench runs
}

func (c cpuUse) sub(o cpuUse) cpuUse {
	return cpuUse{c.Agora - o.Agora, c.Postgres - o.Postgres, c.Self - o.Self, c.Children - o.Children}
}

func (c cpuUse) add(o cpuUse) cpuUse {
	return cpuUse{c.Agora + o.Agora, c.Postgres + o.Postgres, c.Self + o.Self, c.Children + o.Children}
}

// clockTick is USER_HZ, which Linux fixes at 100 for /proc.
const clockTick = 10 * time.Millisecond

// readCPU samples the CPU time of the agora process agoraPID (0: none).
func readCPU(agoraPID int) cpuUse {
	var c cpuUse
	if agoraPID > 0 {
		if s, ok := procStat(strconv.Itoa(agoraPID)); ok {
			c.Agora = s.own
		}
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		s, ok := procStat(filepath.Base(dir))
		if !ok || s.comm != "postgres" {
			continue
		}
		c.Postgres += s.own
		if s.ppidComm != "postgres" { // the postmaster: its reaped children are ended connections
			c.Postgres += s.children
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.Self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		c.Children = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return c
}

type stat struct {
	comm, ppidComm string
	own, children  time.Duration
}

// procStat reads /proc/PID/stat: utime, stime, cutime and cstime are
// fields 14 to 17, counted after the command name in parentheses.
func procStat(pid string) (stat, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return stat{}, false
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return stat{}, false
	}
	f := strings.Fields(s[closing+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return stat{}, false
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(f[i-3], 10, 64)
		return time.Duration(n) * clockTick
	}
	st := stat{comm: s[open+1 : closing], own: tick(14) + tick(15), children: tick(16) + tick(17)}
	if b, err := os.ReadFile("/proc/" + f[1] + "/comm"); err == nil {
		st.ppidComm = strings.TrimSpace(string(b))
	}
	return st, true
}

// machineCPU is the time all processors spent so far, from /proc/stat's
// first line: busy (user, nice, system, irq, softirq), idle (idle and
// iowait) and steal (time the hypervisor gave this machine's processors
// to others: on a shared host, a run that loses some is slower for it).
type machineCPU struct{ busy, idle, steal time.Duration }

// readMachineCPU reads /proc/stat; zero where it is missing.
func readMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return machineCPU{}
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		return time.Duration(n) * clockTick
	}
	return machineCPU{busy: tick(1) + tick(2) + tick(3) + tick(6) + tick(7), idle: tick(4) + tick(5), steal: tick(8)}
}

// since says how the processors spent the time since before, as shares
// of it: e.g. "busy 93%, idle 5%, stolen 2%".
func (c machineCPU) since(before machineCPU) string {
	busy, idle, steal := c.busy-before.busy, c.idle-before.idle, c.steal-before.steal
	total := busy + idle + steal
	if total <= 0 {
		return "unknown"
	}
	pct := func(d time.Duration) int { return int((100*d + total/2) / total) }
	return fmt.Sprintf("busy %d%%, idle %d%%, stolen %d%%", pct(busy), pct(idle), pct(steal))
}
