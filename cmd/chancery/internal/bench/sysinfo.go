package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Machine is the computer a run measured on, and how busy it was.
type Machine struct {
	CPUModel    string     `json:"cpu_model"`
	Cores       int        `json:"cores"`
	MemoryBytes int64      `json:"memory_bytes"`
	OS          string     `json:"os"`
	GoVersion   string     `json:"go_version"`
	LoadStart   [3]float64 `json:"load_avg_start"` // 1, 5 and 15 minutes, before the run
	LoadEnd     [3]float64 `json:"load_avg_end"`
	// BusyBefore is how many cores every process on the machine kept busy
	// in the second before the run, while the bench itself was idle: on a
	// shared machine, what others were using.
	BusyBefore float64 `json:"busy_cores_before"`
}

// ReadMachine describes this machine from /proc (Linux); what it cannot read
// stays empty.
func ReadMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUModel = procField(b, "model name", ':')
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryBytes = procKiB(procField(b, "MemTotal", ':'))
	}
	m.LoadStart = LoadAvg()
	m.BusyBefore = BusyCores(time.Second)
	return m
}

// BusyCores watches the machine for d and returns how many cores all its
// processes kept busy, or 0 where /proc/stat is unreadable.
func BusyCores(d time.Duration) float64 {
	b0, ok0 := MachineBusy()
	start := time.Now()
	time.Sleep(d)
	b1, ok1 := MachineBusy()
	if !ok0 || !ok1 {
		return 0
	}
	return round((b1-b0).Seconds()/time.Since(start).Seconds(), 2)
}

// LoadAvg reads /proc/loadavg: runnable processes averaged over 1, 5 and 15
// minutes. Above the number of cores, others were competing for them.
func LoadAvg() [3]float64 {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	for i, f := range strings.Fields(string(b)) {
		if i == 3 {
			break
		}
		l[i], _ = strconv.ParseFloat(f, 64)
	}
	return l
}

// Usage is the CPU time and memory of the node's process or processes.
type Usage struct {
	CPU    time.Duration // user + system since the process started, summed
	RSS    int64         // resident bytes now, summed
	MaxRSS int64         // peak resident bytes, summed; 0 if unknown
}

// SelfUsage reads this process's usage: CPU from getrusage, memory from
// /proc/self/status (VmRSS now, VmHWM the peak).
func SelfUsage() Usage {
	var u Usage
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		u.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		u.RSS = procKiB(procField(b, "VmRSS", ':'))
		u.MaxRSS = procKiB(procField(b, "VmHWM", ':'))
	}
	return u
}

// MachineBusy reads /proc/stat: the CPU time every process on the machine
// has used since boot (user, nice, system, irq, softirq, steal), summed over
// the cores. On a shared machine, what others used in a window is its change
// less ours. ok is false where /proc/stat is unreadable.
func MachineBusy() (busy time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system (idle iowait) irq softirq steal
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	// /proc/stat counts in USER_HZ, 100 a second on Linux.
	return time.Duration(ticks) * 10 * time.Millisecond, true
}

// procField returns the value of the first "key<sep> value" line of a /proc
// file, trimmed.
func procField(b []byte, key string, sep byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), string(sep))
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// procKiB reads "123 kB" as bytes.
func procKiB(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, "kB")), 10, 64)
	return n << 10
}
