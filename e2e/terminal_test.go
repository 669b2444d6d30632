package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"licet.dev/licet/agent"
	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/agent/webui"
	"licet.dev/licet/airgap/scan"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/fingerprint/fingerprinttest"
	"licet.dev/licet/site"
)

// TestTerminalPage runs licetd's activation page (agent/webui, on a fake
// machine) in Chromium: the page makes the device code and the request QR
// code from the daemon's birth record with the WebAssembly codec, and they
// must be the daemon's; then the webcam (Chromium's fake camera) reads the
// animated QR of a device license, the page hands it to the daemon, and the
// terminal is licensed.
func TestTerminalPage(t *testing.T) {
	browserTools(t)
	ctx := testContext(t)
	dir := t.TempDir()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const product = 4242

	vendor, err := cose.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := vendor.Public().MarshalText()
	trust := filepath.Join(dir, "vendor.pub")
	if err := os.WriteFile(trust, append(pub, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := agent.DefaultConfig()
	cfg.State = filepath.Join(dir, "state")
	cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Workstation(3))
	cfg.Trust = []string{trust}
	cfg.Portal = "https://portal.example"
	cfg.LicenseFile = filepath.Join(dir, "run", "license")
	cfg.Socket = filepath.Join(dir, "s.sock")
	cfg.Now = func() time.Time { return now }
	cfg.Log = io.Discard
	a, err := agent.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The request the page will show (licetd request would make the same).
	req, err := a.Request(agent.RequestOptions{Product: product})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := webui.Listen(webui.Config{Addr: "127.0.0.1:0", Agent: a, Files: site.Files()})
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("webui: %v", err)
		}
	})

	// The vendor's answer: a device license for the request, about 4 KB.
	id := codec.ID{0x7e, 0x12}
	lic := &codec.DeviceLicense{
		Header:   codec.Header{ID: id, IssuedAt: codec.At(now), NotBefore: codec.At(now), NotAfter: codec.At(now.AddDate(1, 0, 0))},
		Product:  product,
		Features: map[string]string{"export": "yes", "channels": "16"},
		Binding:  codec.Binding{Digest: codec.Bytes(req.Digest[:8]), Nonce: req.Nonce},
	}
	signed, err := codec.Sign(rand.Reader, vendor, lic)
	if err != nil {
		t.Fatal(err)
	}
	file, err := codec.NewFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	camera := filepath.Join(dir, "camera.y4m")
	kept, loop, err := animatedQRVideo(camera, file.Marshal(), 40, 8, 0.10)
	if err != nil {
		t.Fatal(err)
	}

	var res struct {
		receiveFigures
		DeviceCode string
		Agree      string
		URL        string
		QR         string
		Status     string
	}
	runScript(t, ctx, "terminal.mjs", map[string]string{
		"LICET_URL":    srv.URL(),
		"LICET_CAMERA": camera,
	}, &res)

	if res.DeviceCode != req.DeviceCode.String() || res.Agree != "true" {
		t.Errorf("page shows %s (agree %s), the daemon %s", res.DeviceCode, res.Agree, req.DeviceCode)
	}
	if res.URL != req.URL {
		t.Errorf("page's request URL %s, the daemon's %s", res.URL, req.URL)
	}
	f, err := os.Open(res.QR)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scan.Decode(f)
	f.Close()
	if err != nil || r.Text != req.URL {
		t.Errorf("the QR code on the page reads %q (%v), want %s", r.Text, err, req.URL)
	}
	if res.Status != localapi.StateLicensed {
		t.Errorf("page status %q after the import", res.Status)
	}
	st := a.Status()
	if !st.Licensed || st.LicenseID != id.String() {
		t.Fatalf("the daemon is not licensed by the license the camera read: %+v", st)
	}
	res.receiveFigures.log(t, fmt.Sprintf("terminal page, %d-byte device license", len(file.Marshal())), kept, loop)
}
