package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"licet.dev/licet/airgap/fountain"
	"licet.dev/licet/airgap/scan"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/devcode"
)

// vectorLicense is a license file of the codec's chain vectors (an order
// license of about 5.7 KB), the keys that trust it and an instant when it
// is valid.
type vectorLicense struct {
	File  []byte
	Roots string
	At    time.Time
}

func loadVectorLicense(t *testing.T) vectorLicense {
	t.Helper()
	var f struct {
		TestGroups []struct {
			Roots []string `json:"roots"`
			Tests []struct {
				TcID   int    `json:"tcId"`
				CBOR   string `json:"cbor"`
				At     string `json:"at"`
				Result string `json:"result"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	b, err := os.ReadFile("../codec/testdata/vectors/chains.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	g := f.TestGroups[0]
	for _, v := range g.Tests {
		if v.TcID != 1 || v.Result != "valid" {
			continue
		}
		file, err := hex.DecodeString(v.CBOR)
		if err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339, v.At)
		if err != nil {
			t.Fatal(err)
		}
		return vectorLicense{File: file, Roots: strings.Join(g.Roots, "\n") + "\n", At: at}
	}
	t.Fatal("chains.json has no tcId 1")
	return vectorLicense{}
}

// staticServer serves dir as a plain file server (no API, no special
// headers) and records the paths asked for.
func staticServer(t *testing.T, dir string) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	fsrv := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		fsrv.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}
}

// receiveFigures is what a page reports about receiving an animated QR
// from the fake camera.
type receiveFigures struct {
	Engine       string
	Frames       string // frames added to the receiver until done
	Seconds      string // from the first frame added to the last
	DecodeMs     string // mean time to read one camera frame
	MaxDecodeMs  string
	CameraFrames string // camera frames read
	Codes        string // QR codes found in them
	Resolution   string
	Blocks       string
}

func (f receiveFigures) log(t *testing.T, what string, kept, loop int) {
	t.Logf("%s: %s blocks (first loop %d frames); the camera's video holds %d frames at 8 fps after 10%% were dropped", what, f.Blocks, loop, kept)
	t.Logf("%s: received with %s after %s frames in %s s; %s camera frames of %s read, %s codes found; decoding one frame took %s ms on average (%s ms at most)",
		what, f.Engine, f.Frames, f.Seconds, f.CameraFrames, f.Resolution, f.Codes, f.DecodeMs, f.MaxDecodeMs)
}

// TestWorkbenchOffline opens the offline workbench from a plain static
// file server over site/static, with no API, and from file://, and checks
// each of its tools; the animated QR it shows is read back from
// screenshots with gozxing, and the fake camera's animated QR of the same
// license is received intact.
func TestWorkbenchOffline(t *testing.T) {
	_, root := browserTools(t)
	ctx := testContext(t)
	lic := loadVectorLicense(t)
	dir := t.TempDir()

	// The camera: the license's animated QR at 8 frames per second, 40
	// frames of the sender with 10% of them dropped.
	camera := filepath.Join(dir, "camera.y4m")
	kept, loop, err := animatedQRVideo(camera, lic.File, 40, 8, 0.10)
	if err != nil {
		t.Fatal(err)
	}

	other, err := cose.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherPub, _ := other.Public().MarshalText()
	licPath := filepath.Join(dir, "order.license")
	if err := os.WriteFile(licPath, lic.File, 0o644); err != nil {
		t.Fatal(err)
	}
	code := devcode.New(4242, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, 77)
	typed := withTypo(t, code.String(), 9)
	reqURL := requestURL(t, "https://portal.example", 4242, lic.At)

	srv, paths := staticServer(t, filepath.Join(root, "site", "static"))
	var res struct {
		receiveFigures
		RequestDeviceCode string
		LeafType          string
		Loop              int
		Shown             []string
		ReceivedHex       string
		APIRequests       []string
		RequestCount      int
		FileNote          bool
	}
	runScript(t, ctx, "workbench.mjs", map[string]string{
		"LICET_URL":         srv.URL,
		"LICET_FILE_URL":    "file://" + filepath.Join(root, "site", "static", "workbench.html"),
		"LICET_CAMERA":      camera,
		"LICET_LICENSE":     licPath,
		"LICET_ROOTS":       lic.Roots,
		"LICET_OTHER_KEY":   string(otherPub),
		"LICET_AT":          lic.At.Format(time.RFC3339),
		"LICET_DEVICE_CODE": typed,
		"LICET_CANONICAL":   code.String(),
		"LICET_REQUEST_URL": reqURL,
	}, &res)

	// Nothing asked for the API; everything came from the static tree.
	if len(res.APIRequests) != 0 {
		t.Errorf("the workbench called the API: %v", res.APIRequests)
	}
	for _, p := range paths() {
		if strings.HasPrefix(p, "/api/") {
			t.Errorf("the static server was asked for %s", p)
		}
	}
	if res.RequestDeviceCode == "" || !devcodeOK(res.RequestDeviceCode) {
		t.Errorf("request URL shown with device code %q", res.RequestDeviceCode)
	}
	if !res.FileNote {
		t.Error("no note from file://")
	}

	// The animated QR on screen, read back frame by frame from the
	// screenshots, gives the license.
	if res.Loop != loop || len(res.Shown) != loop+6 {
		t.Fatalf("page loop %d with %d screenshots, want %d and %d", res.Loop, len(res.Shown), loop, loop+6)
	}
	d := fountain.NewDecoder()
	var unread []string
	for _, shot := range res.Shown {
		f, err := os.Open(shot)
		if err != nil {
			t.Fatal(err)
		}
		r, err := scan.Decode(f)
		f.Close()
		if err != nil {
			// gozxing misses the odd clean symbol (DESIGN 5.5); the
			// transfer is made for missed frames.
			unread = append(unread, filepath.Base(shot))
			continue
		}
		if _, err := d.Add(r.Text); err != nil {
			t.Fatalf("%s: %v", filepath.Base(shot), err)
		}
	}
	shown, err := d.Payload()
	if err != nil || !bytes.Equal(shown, lic.File) || len(unread) > 3 {
		t.Fatalf("the animated QR on screen did not give the license: %v (gozxing could not read %v)", err, unread)
	}
	t.Logf("animated QR on screen: %d of %d frames read back from screenshots with gozxing, license recovered", len(res.Shown)-len(unread), len(res.Shown))

	// The camera's animated QR arrived intact.
	got, err := hex.DecodeString(res.ReceivedHex)
	if err != nil || !bytes.Equal(got, lic.File) {
		t.Fatalf("received %d bytes (%v), want the %d-byte license", len(got), err, len(lic.File))
	}
	if res.Engine != "zxing" {
		t.Errorf("engine %q: desktop Chromium on Linux has no BarcodeDetector, zxing-wasm should read", res.Engine)
	}
	res.receiveFigures.log(t, fmt.Sprintf("workbench, %d-byte license", len(lic.File)), kept, loop)
}

// devcodeOK reports whether s is a canonical device code.
func devcodeOK(s string) bool {
	p, err := devcode.Parse(s)
	return err == nil && p.Canonical == s && len(p.Corrections) == 0
}

// TestPhonePairing runs phone pairing against the real server: the
// desktop's pairing QR code reads as the phone link; the phone, whose
// camera sees a terminal's request QR code, sends the request, and the
// desktop's activate form has it at once.
func TestPhonePairing(t *testing.T) {
	browserTools(t)
	ctx := testContext(t)
	clk := &clock{start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	base, console := startServer(t, ctx, clk.Now)

	u := requestURL(t, base, 4242, clk.Now())
	camera := filepath.Join(t.TempDir(), "terminal.y4m")
	frames := make([]string, 16)
	for i := range frames {
		frames[i] = u
	}
	if _, err := writeQRVideo(camera, frames, y4mOptions{Width: 1280, Height: 720, FPS: 8}); err != nil {
		t.Fatal(err)
	}
	var res struct {
		PhoneURL, PairQR, PhoneSent, Request string
	}
	runScript(t, ctx, "pairing.mjs", map[string]string{
		"LICET_URL":         base,
		"LICET_SETUP_TOKEN": setupToken(t, console),
		"LICET_CAMERA":      camera,
		"LICET_REQUEST":     u[strings.LastIndex(u, "/R/")+3:],
	}, &res)
	if !strings.HasPrefix(res.PhoneURL, base+"/P/") {
		t.Errorf("phone URL %s", res.PhoneURL)
	}
	f, err := os.Open(res.PairQR)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scan.Decode(f)
	f.Close()
	if err != nil || r.Text != res.PhoneURL {
		t.Errorf("the pairing QR code reads %q (%v), want %s", r.Text, err, res.PhoneURL)
	}
	t.Logf("phone sent %q; the desktop form holds the request", res.PhoneSent)
}
