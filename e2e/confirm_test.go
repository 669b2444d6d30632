package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/agent"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/release"
	"licet.dev/licet/fingerprint/fingerprinttest"
)

// TestConfirmationAndRelease follows a terminal that can only type through
// the portal: an order that accepts confirmation codes, a confirmation code
// issued in the browser for the terminal's device code typed with one wrong
// character, the code checked by codec/confirm against the order license
// from the API and accepted by the terminal (agent, on a fake machine whose
// birth record made that device code); then the terminal gives the
// activation up, and its release code, typed with one wrong character into
// the release page on a phone, frees the seat.
func TestConfirmationAndRelease(t *testing.T) {
	browserTools(t)
	ctx := testContext(t)
	clk := &clock{start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	base, console := startServer(t, ctx, clk.Now)
	const user, password = "admin", "correct horse battery staple"
	const shortID = 4317
	setupAdmin(t, ctx, base, setupToken(t, console), user, password)
	c := apiClient(t, ctx, base, user, password)
	trust := getBody(t, ctx, c, base+"/api/v1/keys/trust")
	roots, err := cose.ParsePublicKeys("trust", trust)
	if err != nil {
		t.Fatal(err)
	}

	// The terminal: a fake machine that trusts the portal's root keys and
	// waits for an activation of product shortID.
	dir := t.TempDir()
	pub := filepath.Join(dir, "licet.pub")
	if err := os.WriteFile(pub, trust, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := agent.DefaultConfig()
	cfg.State = filepath.Join(dir, "state")
	cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Workstation(5))
	cfg.Trust = []string{pub}
	cfg.LicenseFile = filepath.Join(dir, "run", "license")
	cfg.Socket = filepath.Join(dir, "s.sock")
	cfg.Now = clk.Now
	cfg.Log = io.Discard
	term, err := agent.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req, err := term.Request(agent.RequestOptions{Product: shortID})
	if err != nil {
		t.Fatal(err)
	}
	device := req.DeviceCode.String()
	const typoPos = 9
	typed := withTypo(t, device, typoPos)

	// The browser sets TZ so that the times it shows are UTC.
	var issued struct {
		Order, OrderLicense, Code, CodeText, TypedCorrection, ServerCorrection, Until, FullLicense, License string
	}
	runScript(t, ctx, "confirm.mjs", map[string]string{
		"LICET_STEP":             "issue",
		"LICET_URL":              base,
		"LICET_USER":             user,
		"LICET_PASSWORD":         password,
		"LICET_PRODUCT_SHORT_ID": fmt.Sprint(shortID),
		"LICET_DEVICE_CODE":      typed,
		"LICET_CANONICAL":        device,
		"TZ":                     "UTC",
	}, &issued)
	wantFix := fmt.Sprintf("Character %d (group %d) was corrected", typoPos, (typoPos-1)/5+1)
	for what, text := range map[string]string{"as typed": issued.TypedCorrection, "by the server": issued.ServerCorrection} {
		if !strings.Contains(text, wantFix) {
			t.Errorf("correction shown %s: %q, want %q", what, text, wantFix)
		}
	}

	// The code as the page shows it: 80 characters in 16 groups.
	pc, err := confirm.Parse(issued.Code)
	if err != nil || pc.Canonical != issued.Code || pc.Corrected() {
		t.Fatalf("the page's code %q: %+v %v", issued.Code, pc, err)
	}
	if issued.CodeText != strings.ReplaceAll(issued.Code, "-", "") {
		t.Errorf("the page shows %q, its data says %q", issued.CodeText, issued.Code)
	}
	licID := pc.Code.LicenseID().String()
	if issued.License != licID {
		t.Errorf("the page links license %s, the code's license is %s", issued.License, licID)
	}

	// The order license, read through the API (and the same as the page's
	// download), names the order's confirmation key and verifies.
	var order struct {
		ID           int64  `json:"id"`
		ConfirmCodes bool   `json:"confirm_codes"`
		ConfirmKey   string `json:"confirm_key"`
		SeatsUsed    int    `json:"seats_used"`
		Seats        int    `json:"seats"`
	}
	getJSON(t, ctx, c, base+"/api/v1/orders/"+issued.Order, &order)
	if !order.ConfirmCodes || order.ConfirmKey == "" || order.SeatsUsed != 1 || order.Seats != 3 {
		t.Fatalf("order %s after the confirmation: %+v", issued.Order, order)
	}
	orderFile := orderLicenseFile(t, ctx, c, base, issued.Order)
	if ui, err := os.ReadFile(issued.OrderLicense); err != nil || !bytes.Equal(ui, orderFile) {
		t.Errorf("the order license the page downloaded differs from the API's (%v)", err)
	}
	vr, err := (&codec.Verifier{Roots: roots, Now: clk.Now()}).VerifyBytes(orderFile)
	if err != nil || vr.Order == nil {
		t.Fatalf("order license: %v", err)
	}
	ol := vr.Order
	if key, err := confirm.KeyOf(ol); err != nil || key.String() != order.ConfirmKey {
		t.Fatalf("the order license names confirmation key %v (%v), the order %s", key, err, order.ConfirmKey)
	}

	// codec/confirm: the code verifies for the terminal's device code (the
	// corrected one), and for no other.
	g, err := confirm.Verify(ol, req.DeviceCode, pc.Code)
	if err != nil {
		t.Fatalf("confirm.Verify: %v", err)
	}
	if pc.Code.Days != 30 && pc.Code.Days != 31 {
		t.Errorf("a grant of 30 days from now has %d days from the order's start", pc.Code.Days)
	}
	if until := g.NotAfter.Time().UTC().Format("02/01/2006, 15:04"); !strings.Contains(issued.Until, until) {
		t.Errorf("the page says valid until %q, the grant ends %s", issued.Until, until)
	}
	other := devcode.New(shortID, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, req.DeviceCode.Nonce)
	if _, err := confirm.Verify(ol, other, pc.Code); err == nil {
		t.Fatalf("the code also verifies for device code %s", other)
	}

	// The full license of the same activation, offered for download: the
	// code's license id, bound to the terminal, signed by the portal.
	if code, text := inspect(issued.FullLicense, pub, clk.Now); code != 0 || !strings.Contains(text, "verified:  yes") ||
		!strings.Contains(text, licID) || !strings.Contains(text, fmt.Sprintf("digest %x, nonce %d", req.Digest[:8], req.Nonce)) {
		t.Fatalf("licet inspect of the full license: exit %d\n%s", code, text)
	}

	// The terminal imports the order beforehand, then takes the code as a
	// person types it (one more wrong character, in the second block).
	if _, err := term.ImportOrder(orderFile); err != nil {
		t.Fatalf("terminal: import the order: %v", err)
	}
	conf, err := term.Confirm(withTypo(t, issued.Code, 40))
	if err != nil {
		t.Fatalf("terminal: confirm: %v", err)
	}
	if conf.LicenseID.String() != licID || conf.DeviceCode != device || len(conf.Corrections) != 1 || !conf.NotAfter.Equal(g.NotAfter.Time()) {
		t.Errorf("terminal: confirmed %+v", conf)
	}
	if st := term.Status(); !st.Licensed || !st.Classical || st.LicenseID != licID {
		t.Fatalf("terminal after the code: %+v", st)
	}

	// The terminal gives the activation up: its release code derives from
	// the confirmation code, as the portal checks it.
	rel, err := term.Release()
	if err != nil {
		t.Fatalf("terminal: release: %v", err)
	}
	rp, err := release.Parse(rel.Code)
	if err != nil || rp.Canonical != rel.Code || !rel.Classical || rel.LicenseID.String() != licID {
		t.Fatalf("terminal's release %+v: %+v %v", rel, rp, err)
	}
	act, err := release.FromConfirmation(pc.Code)
	if err != nil {
		t.Fatal(err)
	}
	if err := act.Check(rp.Code); err != nil {
		t.Fatalf("the terminal's release code does not check against the confirmation: %v", err)
	}
	mismatch := rp.Code
	mismatch.Tag[0] ^= 1
	if err := act.Check(mismatch); !errors.Is(err, release.ErrBadTag) {
		t.Fatalf("a changed tag checks: %v", err)
	}

	var freed struct {
		License, Heading, Summary, Seats, Status, Names, TypedCorrection, ServerCorrection, MismatchAdvice, AgainHeading string
	}
	const releaseTypo = 27
	runScript(t, ctx, "confirm.mjs", map[string]string{
		"LICET_STEP":              "release",
		"LICET_URL":               base,
		"LICET_USER":              user,
		"LICET_PASSWORD":          password,
		"LICET_RELEASE_CODE":      withTypo(t, rel.Code, releaseTypo),
		"LICET_RELEASE_CANONICAL": rel.Code,
		"LICET_MISMATCH_CODE":     mismatch.String(),
		"LICET_LICENSE_PREFIX":    rp.Code.LicensePrefix(),
		"TZ":                      "UTC",
	}, &freed)
	t.Logf("release page: %q / %q / %q / %q", freed.Heading, freed.Summary, freed.Seats, freed.AgainHeading)
	if freed.License != licID {
		t.Errorf("the release page freed license %s, want %s", freed.License, licID)
	}
	for _, want := range []string{licID[:8], "#" + issued.Order, rel.At.UTC().Format(time.DateOnly)} {
		if !strings.Contains(freed.Summary, want) {
			t.Errorf("release summary %q lacks %q", freed.Summary, want)
		}
	}
	if want := fmt.Sprintf("已用 0 / 共 %d", order.Seats); !strings.Contains(freed.Seats, want) {
		t.Errorf("release page seats %q, want %q", freed.Seats, want)
	}
	if !strings.Contains(freed.TypedCorrection, fmt.Sprintf("第 %d 个字符", releaseTypo)) || !strings.Contains(freed.ServerCorrection, fmt.Sprintf("第 %d 个字符", releaseTypo)) {
		t.Errorf("release code corrections shown: %q, %q", freed.TypedCorrection, freed.ServerCorrection)
	}
	if freed.Status != "已释放" || freed.Heading == freed.AgainHeading || freed.MismatchAdvice == "" {
		t.Errorf("release page: status %q, headings %q then %q, mismatch advice %q", freed.Status, freed.Heading, freed.AgainHeading, freed.MismatchAdvice)
	}

	// The API agrees: the license is released and the seat is free.
	var lic struct {
		Status     string     `json:"status"`
		Object     string     `json:"object"`
		ReleasedAt *time.Time `json:"released_at"`
		Code       string     `json:"code"`
	}
	getJSON(t, ctx, c, base+"/api/v1/licenses/"+licID, &lic)
	if lic.Status != "released" || lic.ReleasedAt == nil || lic.Object != "confirmation" || lic.Code != issued.Code {
		t.Errorf("license %s after the release: %+v", licID, lic)
	}
	getJSON(t, ctx, c, base+"/api/v1/orders/"+issued.Order, &order)
	if order.SeatsUsed != 0 {
		t.Errorf("order %s holds %d seats after the release", issued.Order, order.SeatsUsed)
	}
}

// setupAdmin creates the first account through the one-time setup link's
// API, as the setup page does.
func setupAdmin(t *testing.T, ctx context.Context, base, token, user, password string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"token": token, "username": user, "password": password})
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/setup", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("setup: %s\n%s", res.Status, b)
	}
}

func getJSON(t *testing.T, ctx context.Context, c *http.Client, url string, v any) {
	t.Helper()
	if err := json.Unmarshal(getBody(t, ctx, c, url), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// orderLicenseFile downloads the active order license of an order through
// the API.
func orderLicenseFile(t *testing.T, ctx context.Context, c *http.Client, base, order string) []byte {
	t.Helper()
	var lics struct {
		Items []struct {
			Status  string `json:"status"`
			FileURL string `json:"file_url"`
		} `json:"items"`
	}
	getJSON(t, ctx, c, base+"/api/v1/licenses?kind=order&order="+order, &lics)
	for _, l := range lics.Items {
		if l.Status == "active" {
			return getBody(t, ctx, c, base+l.FileURL)
		}
	}
	t.Fatalf("order %s has no active order license: %+v", order, lics.Items)
	return nil
}
