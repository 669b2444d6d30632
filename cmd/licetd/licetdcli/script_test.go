package licetdcli_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"licet.dev/licet/cmd/licet/licetcli"
	"licet.dev/licet/cmd/licetd/licetdcli"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/keyseal"
	"licet.dev/licet/codec/keyseal/keysealtest"
	"licet.dev/licet/fingerprint/fingerprinttest"
)

// testNowEnv is the variable the test wrappers read the clock from. Only
// these wrappers read it: the real commands have no such knob.
const testNowEnv = "LICET_TEST_NOW"

func testNow() time.Time {
	s := os.Getenv(testNowEnv)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		fmt.Fprintf(os.Stderr, "test wrapper: %s=%q: %v\n", testNowEnv, s, err)
		os.Exit(99)
	}
	return t
}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"licet": func() {
			e := licetcli.OSEnv()
			e.Now = testNow
			os.Exit(licetcli.Main(os.Args[1:], e))
		},
		"licetd": func() {
			e := licetdcli.OSEnv()
			e.Now = testNow
			os.Exit(licetdcli.Main(os.Args[1:], e))
		},
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script"))
}

// scriptParams runs the scripts of dir with both binaries, the test
// clock, a vendor passphrase, every default path of licetd inside the
// work directory (a script overrides what it needs) and the commands
// below.
func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			env.Setenv(testNowEnv, "2030-01-01T00:00:00Z")
			env.Setenv("LICET_PASSPHRASE", "correct horse")
			conf := filepath.Join(env.WorkDir, "licetd.conf")
			if err := os.WriteFile(conf, []byte("# empty: every setting from the environment or flags\n"), 0o644); err != nil {
				return err
			}
			env.Setenv("LICETD_CONFIG", conf)
			env.Setenv("LICETD_STATE", filepath.Join(env.WorkDir, "state"))
			env.Setenv("LICETD_SOCKET", filepath.Join(env.WorkDir, "run", "licetd.sock"))
			env.Setenv("LICETD_LICENSE_FILE", filepath.Join(env.WorkDir, "run", "license"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"machine":   cmdMachine,
			"capture":   cmdCapture,
			"flipbyte":  cmdFlipByte,
			"vendorkey": cmdVendorKey,
			"lease":     cmdLease,
			"apiget":    cmdAPIGet,
			"qrframes":  cmdQRFrames,
		},
	}
}

// machine DIR KIND SEED [CHANGE...] writes a fake machine: KIND is
// workstation, server or ci-runner; CHANGE is nic-replaced (the second
// NIC gets a new address), disks-replaced (every disk), or clone-of=SEED
// (the machine-id of another seed, everything else this seed's).
func cmdMachine(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: machine DIR KIND SEED [CHANGE...]")
	}
	seed, err := strconv.Atoi(args[2])
	ts.Check(err)
	var m fingerprinttest.Machine
	switch args[1] {
	case "workstation":
		m = fingerprinttest.Workstation(seed)
	case "server":
		m = fingerprinttest.Server(seed)
	case "ci-runner":
		m = fingerprinttest.CIRunner(seed)
	default:
		ts.Fatalf("unknown machine kind %q", args[1])
	}
	for _, c := range args[3:] {
		switch {
		case c == "nic-replaced":
			m.NICs[2].MAC = fingerprinttest.MAC(seed, "replacement")
		case c == "disks-replaced":
			for i := range m.Disks {
				if m.Disks[i].Serial != "" {
					m.Disks[i].Serial = fingerprinttest.Serial(seed, "new-disk")
				}
				if m.Disks[i].WWID != "" {
					m.Disks[i].WWID += "-new"
				}
			}
		case len(c) > 9 && c[:9] == "clone-of=":
			other, err := strconv.Atoi(c[9:])
			ts.Check(err)
			m.MachineID = fingerprinttest.MachineID(other)
		default:
			ts.Fatalf("unknown change %q", c)
		}
	}
	ts.Check(m.WriteTo(ts.MkAbs(args[0])))
}

// capture VAR REGEXP sets VAR to the first group of REGEXP in the last
// command's standard output.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: capture VAR REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("capture: %q not found in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// flipbyte FILE OFFSET flips the lowest bit of one byte of FILE; a
// negative OFFSET counts from the end.
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	p := ts.MkAbs(args[0])
	b, err := os.ReadFile(p)
	ts.Check(err)
	off, err := strconv.Atoi(args[1])
	ts.Check(err)
	if off < 0 {
		off += len(b)
	}
	if off < 0 || off >= len(b) {
		ts.Fatalf("flipbyte: offset %s outside %d bytes", args[1], len(b))
	}
	b[off] ^= 1
	ts.Check(os.WriteFile(p, b, 0o600))
}

// vendorkey DIR writes a key pair like `licet keys generate` does, sealed
// with cheap parameters so that scripts do not spend a second per key.
func cmdVendorKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: vendorkey DIR")
	}
	dir := ts.MkAbs(args[0])
	k, err := cose.GenerateKey(rand.Reader)
	ts.Check(err)
	sealed, err := keyseal.SealWithParams(rand.Reader, []byte(ts.Getenv("LICET_PASSPHRASE")), k.Bytes(), keysealtest.Params)
	ts.Check(err)
	pub, err := k.Public().MarshalText()
	ts.Check(err)
	ts.Check(os.MkdirAll(dir, 0o700))
	ts.Check(os.WriteFile(filepath.Join(dir, "licet.key"), sealed, 0o600))
	ts.Check(os.WriteFile(filepath.Join(dir, "licet.pub"), append(pub, '\n'), 0o644))
}

func loadKey(ts *testscript.TestScript, dir string) *cose.PrivateKey {
	b, err := os.ReadFile(filepath.Join(ts.MkAbs(dir), "licet.key"))
	ts.Check(err)
	secret, err := keyseal.Open([]byte(ts.Getenv("LICET_PASSPHRASE")), b)
	ts.Check(err)
	k, err := cose.ParsePrivateKey(secret)
	ts.Check(err)
	return k
}

// lease VENDOR SITE CODE LEASE-DAYS GRACE-DAYS OUT writes what a site
// server hands a terminal in mode periodic: an order of the device code's
// product, signed by VENDOR and delegating to SITE with the grace period,
// and a lease for the device code signed by SITE, both issued at
// $LICET_TEST_NOW. The lease grants feature export=yes.
func cmdLease(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 6 {
		ts.Fatalf("usage: lease VENDOR SITE CODE LEASE-DAYS GRACE-DAYS OUT")
	}
	vendor, site := loadKey(ts, args[0]), loadKey(ts, args[1])
	p, err := devcode.Parse(args[2])
	ts.Check(err)
	leaseDays, err := strconv.Atoi(args[3])
	ts.Check(err)
	graceDays, err := strconv.Atoi(args[4])
	ts.Check(err)
	now, err := time.Parse(time.RFC3339, ts.Getenv(testNowEnv))
	ts.Check(err)
	at := codec.At(now)
	var orderID, leaseID codec.ID
	rand.Read(orderID[:])
	rand.Read(leaseID[:])
	order := &codec.OrderLicense{
		Header:   codec.Header{ID: orderID, IssuedAt: at, NotBefore: at, NotAfter: at.Add(codec.Days(365))},
		Customer: "Example Site", Product: p.Code.Product, Mode: codec.ModePeriodic, Seats: 10,
		LeasePeriod: codec.Days(leaseDays), RenewInterval: codec.Days(1), Grace: codec.Days(graceDays),
		Features: map[string]string{"export": "yes"}, SiteKey: site.Public().Bytes(),
	}
	lease := &codec.Lease{
		Header:  codec.Header{ID: leaseID, IssuedAt: at, NotBefore: at, NotAfter: at.Add(codec.Days(leaseDays))},
		Product: p.Code.Product, Features: map[string]string{"export": "yes"}, Order: orderID,
		Binding:    codec.Binding{Digest: codec.Bytes(p.Code.Digest[:]), Nonce: p.Code.Nonce},
		RenewAfter: at.Add(codec.Days(1)), ServerTime: at,
	}
	so, err := codec.Sign(rand.Reader, vendor, order)
	ts.Check(err)
	sl, err := codec.Sign(rand.Reader, site, lease)
	ts.Check(err)
	f, err := codec.NewFile(so, sl)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[5]), f.Armour(), 0o644))
}

// apiget SOCKET PATH waits (up to 10 s) for a daemon to listen on SOCKET,
// then GETs PATH and prints the answer's body to standard output, and its
// status to standard error.
func cmdAPIGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: apiget SOCKET PATH")
	}
	sock := ts.MkAbs(args[0])
	// The daemon links its socket into place once it listens.
	if err := waitForPath(sock, 10*time.Second); err != nil {
		ts.Fatalf("apiget: %v", err)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get("http://licetd" + args[1])
	if err != nil {
		ts.Fatalf("apiget: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	ts.Stdout().Write(b)
	fmt.Fprintf(ts.Stderr(), "%d\n", resp.StatusCode)
	if (resp.StatusCode != http.StatusOK) != neg {
		ts.Fatalf("apiget: status %d", resp.StatusCode)
	}
}
