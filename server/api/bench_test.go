package api

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// BenchmarkIssuance compares device-license issuance through the API (real
// HTTP on loopback, concurrent clients, each request a hybrid-signed
// license, a seat taken and an audit entry written in one transaction on
// SQLite) with the raw hybrid signing rate (cose.Sign on every core)
// measured in the same run.
//
// The two are measured in alternating rounds, so that a change in the load
// of a shared machine during the run weighs on both alike. clients=N is the
// number of concurrent requests: with 1 per core the server idles while
// requests travel; a few per core keep it busy, as a loaded server is. In
// the first two cases the clients run in the server's process and take
// their share of its CPU; in server=process (Linux) the server runs in a
// process of its own, whose CPU time is read from /proc, so that the
// server's CPU per issuance and the clients' are reported apart. Either
// way the clients share the machine's cores with the server.
//
//	go test -run '^$' -bench Issuance -benchtime 3000x ./server/api
func BenchmarkIssuance(b *testing.B) {
	for _, perCore := range []int{1, 4} {
		clients := perCore * runtime.GOMAXPROCS(0)
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchIssuance(b, clients, inProcess(b)) })
	}
	clients := 4 * runtime.GOMAXPROCS(0)
	b.Run(fmt.Sprintf("clients=%d/server=process", clients), func(b *testing.B) { benchIssuance(b, clients, serverProcess(b)) })
}

// issuanceTarget is the server under load: its URL, an operator's API
// token, an unlimited order and its product's short id, and for a server
// in another process, a reader of that process's CPU time.
type issuanceTarget struct {
	URL    string `json:"url"`
	Token  string `json:"token"`
	Order  int64  `json:"order"`
	Short  uint16 `json:"short"`
	cpu    func() (time.Duration, error)
	closer func()
}

// prepareIssuance starts an API on a fresh SQLite store and makes what the
// benchmark needs.
func prepareIssuance(tb testing.TB) issuanceTarget {
	st, _ := storetest.Open(tb, store.SQLite)
	e := newEnv(tb, st)
	admin := e.admin()
	var tc tokenCreated
	admin.must("POST", "/api/v1/tokens", map[string]any{"name": "bench"}, 201, &tc)
	o, short := setupOrder(tb, admin, map[string]any{"mode": "unlimited"})
	return issuanceTarget{URL: e.srv.URL, Token: tc.Secret, Order: o.ID, Short: short}
}

func inProcess(b *testing.B) issuanceTarget { return prepareIssuance(b) }

// serverEnv makes TestIssuanceServer serve.
const serverEnv = "LICET_ISSUANCE_SERVER"

// serverProcess runs TestIssuanceServer in a new process of this test
// binary and returns its target, whose cpu reads the process's user and
// system time from /proc.
func serverProcess(b *testing.B) issuanceTarget {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("no /proc: the server's CPU time cannot be read")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestIssuanceServer$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), serverEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop := func() {
		in.Close()
		io.Copy(io.Discard, out)
		cmd.Wait()
	}
	b.Cleanup(stop)
	var tg issuanceTarget
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &tg)
	}
	if err != nil {
		b.Fatalf("server process: %q: %v", line, err)
	}
	pid := cmd.Process.Pid
	tg.cpu = func() (time.Duration, error) { return procCPU(pid) }
	return tg
}

// procCPU is the user and system time of process pid (all its threads),
// from fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// TestIssuanceServer is the server process of BenchmarkIssuance's
// server=process case, which starts it with LICET_ISSUANCE_SERVER=1: it
// prints its target as one JSON line and serves until its standard input
// closes. Otherwise it is skipped.
func TestIssuanceServer(t *testing.T) {
	if os.Getenv(serverEnv) != "1" {
		t.Skip("the server process of BenchmarkIssuance")
	}
	tg := prepareIssuance(t)
	if err := json.NewEncoder(os.Stdout).Encode(tg); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, os.Stdin)
}

func benchIssuance(b *testing.B, clients int, tg issuanceTarget) {
	key, err := cose.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	payload := bytes.Repeat([]byte{0xa5}, 200)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		var digest [8]byte
		digest[0], digest[1], digest[2], digest[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		bodies[i], _ = json.Marshal(map[string]any{"order_id": tg.Order, "device_code": devcode.New(tg.Short, digest, uint32(i)).String()})
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var failed sync.Once

	// run does n operations on workers goroutines and returns the time.
	run := func(workers, from, n int, op func(i int)) time.Duration {
		var next atomic.Int64
		next.Store(int64(from))
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= from+n {
						return
					}
					op(i)
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	sign := func(int) {
		if _, err := cose.Sign(rand.Reader, key, "application/vnd.licet.device+cbor", payload); err != nil {
			failed.Do(func() { b.Error(err) })
		}
	}
	issue := func(i int) {
		req, _ := http.NewRequest("POST", tg.URL+"/api/v1/activations", bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tg.Token)
		res, err := hc.Do(req)
		if err != nil {
			failed.Do(func() { b.Error(err) })
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			failed.Do(func() { b.Errorf("status %d", res.StatusCode) })
		}
	}

	const rounds = 10
	var signTime, apiTime, signCPU, apiCPU, serverCPU time.Duration
	serverTime := func() time.Duration {
		if tg.cpu == nil {
			return 0
		}
		d, err := tg.cpu()
		if err != nil {
			failed.Do(func() { b.Error(err) })
		}
		return d
	}
	b.ResetTimer()
	for r := range rounds {
		from, to := b.N*r/rounds, b.N*(r+1)/rounds
		c0 := cpuTime()
		signTime += run(runtime.GOMAXPROCS(0), from, to-from, sign)
		c1, s1 := cpuTime(), serverTime()
		apiTime += run(clients, from, to-from, issue)
		signCPU += c1 - c0
		apiCPU += cpuTime() - c1
		serverCPU += serverTime() - s1
	}
	b.StopTimer()
	signRate := float64(b.N) / signTime.Seconds()
	apiRate := float64(b.N) / apiTime.Seconds()
	b.ReportMetric(signRate, "signs/s")
	b.ReportMetric(apiRate, "issued/s")
	b.ReportMetric(100*apiRate/signRate, "%of-sign-rate")
	// CPU time per operation, which other processes on a shared machine do
	// not change as they change rates: of this process (the server and the
	// clients, or only the clients when the server runs apart), and of the
	// server's process.
	if apiCPU > 0 {
		b.ReportMetric(float64(signCPU.Microseconds())/float64(b.N), "cpu-µs/sign")
		if tg.cpu == nil {
			b.ReportMetric(float64(apiCPU.Microseconds())/float64(b.N), "cpu-µs/issue")
		} else {
			b.ReportMetric(float64(apiCPU.Microseconds())/float64(b.N), "client-cpu-µs/issue")
			b.ReportMetric(float64(serverCPU.Microseconds())/float64(b.N), "server-cpu-µs/issue")
		}
	}
	b.ReportMetric(0, "ns/op")
}
