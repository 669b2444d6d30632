package api

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
// HTTP on loopback, parallel clients, each request a hybrid-signed license,
// a seat taken and an audit entry written in one transaction) with the raw
// hybrid signing rate (cose.Sign) measured in the same run.
//
//	go test -run '^$' -bench Issuance -benchtime 2000x ./server/api
func BenchmarkIssuance(b *testing.B) {
	st, _ := storetest.Open(b, store.SQLite)
	e := newEnv(b, st)
	admin := e.admin()
	var tc tokenCreated
	admin.must("POST", "/api/v1/tokens", map[string]any{"name": "bench"}, 201, &tc)
	o, short := setupOrder(nil, admin, map[string]any{"mode": "unlimited"})

	// Raw signing rate over the same number of operations, as parallel as
	// the HTTP clients.
	key, err := cose.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	payload := bytes.Repeat([]byte{0xa5}, 200)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := cose.Sign(rand.Reader, key, "application/vnd.licet.device+cbor", payload); err != nil {
				b.Error(err)
				return
			}
		}
	})
	signRate := float64(b.N) / time.Since(start).Seconds()

	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	hc := &http.Client{Transport: tr}
	var seq atomic.Uint32
	var failed sync.Once
	start = time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			var digest [8]byte
			digest[0], digest[1], digest[2], digest[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
			body, _ := json.Marshal(map[string]any{"order_id": o.ID, "device_code": devcode.New(short, digest, n).String()})
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/activations", bytes.NewReader(body))
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
				failed.Do(func() { b.Error(fmt.Errorf("status %d", res.StatusCode)) })
				return
			}
		}
	})
	apiRate := float64(b.N) / time.Since(start).Seconds()
	b.StopTimer()
	b.ReportMetric(signRate, "signs/s")
	b.ReportMetric(apiRate, "issued/s")
	b.ReportMetric(100*apiRate/signRate, "%of-sign-rate")
	b.ReportMetric(0, "ns/op")
}
