package api

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
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
// of a shared machine during the run weighs on both alike. The clients run
// in the same process and take their share of the CPU. clients=N is the
// number of concurrent requests: with 1 per core the server idles while
// requests travel; a few per core keep it busy, as a loaded server is.
//
//	go test -run '^$' -bench Issuance -benchtime 3000x ./server/api
func BenchmarkIssuance(b *testing.B) {
	for _, perCore := range []int{1, 4} {
		clients := perCore * runtime.GOMAXPROCS(0)
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchIssuance(b, clients) })
	}
}

func benchIssuance(b *testing.B, clients int) {
	st, _ := storetest.Open(b, store.SQLite)
	e := newEnv(b, st)
	admin := e.admin()
	var tc tokenCreated
	admin.must("POST", "/api/v1/tokens", map[string]any{"name": "bench"}, 201, &tc)
	o, short := setupOrder(nil, admin, map[string]any{"mode": "unlimited"})

	key, err := cose.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	payload := bytes.Repeat([]byte{0xa5}, 200)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		var digest [8]byte
		digest[0], digest[1], digest[2], digest[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		bodies[i], _ = json.Marshal(map[string]any{"order_id": o.ID, "device_code": devcode.New(short, digest, uint32(i)).String()})
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
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/activations", bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tc.Secret)
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
	var signTime, apiTime, signCPU, apiCPU time.Duration
	b.ResetTimer()
	for r := range rounds {
		from, to := b.N*r/rounds, b.N*(r+1)/rounds
		c0 := cpuTime()
		signTime += run(runtime.GOMAXPROCS(0), from, to-from, sign)
		c1 := cpuTime()
		apiTime += run(clients, from, to-from, issue)
		signCPU += c1 - c0
		apiCPU += cpuTime() - c1
	}
	b.StopTimer()
	signRate := float64(b.N) / signTime.Seconds()
	apiRate := float64(b.N) / apiTime.Seconds()
	b.ReportMetric(signRate, "signs/s")
	b.ReportMetric(apiRate, "issued/s")
	b.ReportMetric(100*apiRate/signRate, "%of-sign-rate")
	// CPU time per operation of this process (server and clients), which
	// other processes on a shared machine do not change as they change
	// rates.
	if apiCPU > 0 {
		b.ReportMetric(float64(signCPU.Microseconds())/float64(b.N), "cpu-µs/sign")
		b.ReportMetric(float64(apiCPU.Microseconds())/float64(b.N), "cpu-µs/issue")
	}
	b.ReportMetric(0, "ns/op")
}
