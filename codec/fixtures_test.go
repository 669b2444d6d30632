package codec

import (
	"crypto/sha256"
	"time"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

// Fixtures shared by the tests and by the vector generator. Everything here
// is deterministic: keys come from labels, ids from hashes, times are fixed.

var (
	t0        = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rootKey   = cosetest.KeyFromSeed("licet vectors root 1")
	root2Key  = cosetest.KeyFromSeed("licet vectors root 2")
	siteKey   = cosetest.KeyFromSeed("licet vectors site")
	otherKey  = cosetest.KeyFromSeed("licet vectors stranger")
	testRoots = []*cose.PublicKey{rootKey.Public()}
)

func ts(days int) Timestamp { return At(t0.AddDate(0, 0, days)) }

func fixedID(label string) ID {
	h := sha256.Sum256([]byte("licet vectors id\x00" + label))
	var id ID
	copy(id[:], h[:])
	return id
}

func digestOf(label string, n int) Bytes {
	h := sha256.Sum256([]byte("licet vectors birth record\x00" + label))
	return Bytes(h[:n])
}

func sampleOrder() *OrderLicense {
	return &OrderLicense{
		Header: Header{
			ID:        fixedID("order periodic"),
			IssuedAt:  ts(0),
			NotBefore: ts(0),
			NotAfter:  ts(365),
		},
		Vendor:        "Example Vendor",
		Customer:      "Example Site",
		Reference:     "PO-2026-0001",
		Product:       7,
		ProductName:   "Workbench",
		Versions:      VersionRange{Min: "2.0", Max: "3.0"},
		Mode:          ModePeriodic,
		Seats:         50,
		LeasePeriod:   Days(7),
		RenewInterval: Days(1),
		Grace:         Days(3),
		Features:      map[string]string{"export": "on", "channels": "16"},
		Constraints:   Constraints{Architectures: []string{"amd64", "arm64"}},
		SiteKey:       siteKey.Public().Bytes(),
	}
}

func permanentOrder() *OrderLicense {
	o := sampleOrder()
	o.ID = fixedID("order permanent")
	o.Mode = ModePermanent
	o.LeasePeriod, o.RenewInterval, o.Grace = 0, 0, 0
	o.Manual = true
	o.ReclaimReview = true
	o.ConfirmKey = ConfirmKey{Alg: -65535, Key: Bytes(digestOf("confirm key", 32))}
	return o
}

func sampleLease(order *OrderLicense) *Lease {
	return &Lease{
		Header: Header{
			ID:        fixedID("lease 1"),
			IssuedAt:  ts(10),
			NotBefore: ts(10),
			NotAfter:  ts(17),
		},
		Product:    order.Product,
		Features:   map[string]string{"export": "on"},
		Order:      order.ID,
		Binding:    Binding{Digest: digestOf("terminal 1", 8), Nonce: 0x1234567},
		RenewAfter: ts(11),
		ServerTime: ts(10),
	}
}

func sampleDevice() *DeviceLicense {
	return &DeviceLicense{
		Header: Header{
			ID:       fixedID("device 1"),
			IssuedAt: ts(5),
		},
		Product:     7,
		ProductName: "Workbench",
		Features:    map[string]string{"export": "on"},
		Binding: Binding{
			Digest: digestOf("terminal 2", 32),
			Policy: MatchExact,
			Components: []Component{
				{Kind: "machine-id", Hash: digestOf("machine-id", 16)},
				{Kind: "mac", Hash: digestOf("mac", 16)},
			},
		},
	}
}

func sampleReport(order *OrderLicense) *UsageReport {
	r := &UsageReport{
		Header:   Header{ID: fixedID("report 2"), IssuedAt: ts(40)},
		Order:    order.ID,
		Sequence: 2,
		Previous: digestOf("report 1", 32),
	}
	e1 := LedgerEntry{Seq: 7, At: ts(30), Kind: EntryGrant, License: fixedID("lease 7"), Digest: digestOf("terminal 7", 8), Prev: digestOf("entry 6", 32), InUse: 12}
	e2 := LedgerEntry{Seq: 8, At: ts(31), Kind: EntryRenew, License: fixedID("lease 8"), Digest: digestOf("terminal 7", 8), InUse: 12}
	h1 := e1.Hash()
	e2.Prev = h1[:]
	e3 := LedgerEntry{Seq: 9, At: ts(32), Kind: EntryReclaim, License: fixedID("lease 3"), Digest: digestOf("terminal 3", 8), InUse: 11, Note: "approved by admin"}
	h2 := e2.Hash()
	e3.Prev = h2[:]
	r.Entries = []LedgerEntry{e1, e2, e3}
	return r
}

func sampleReceipt(order *OrderLicense) *ReleaseReceipt {
	return &ReleaseReceipt{
		Header:  Header{ID: fixedID("receipt 1"), IssuedAt: ts(20)},
		Order:   order.ID,
		License: fixedID("lease 1"),
		Digest:  digestOf("terminal 1", 8),
	}
}

func sampleRequest() *RequestBundle {
	return &RequestBundle{
		Header:      Header{ID: fixedID("request 1"), IssuedAt: ts(3)},
		Product:     7,
		Order:       fixedID("order periodic"),
		Digest:      digestOf("terminal 1", 32),
		Components:  []Component{{Kind: "machine-id", Hash: digestOf("machine-id 1", 16)}},
		TerminalKey: cosetest.KeyFromSeed("licet vectors terminal").Public().Bytes(),
		Nonce:       0x1234567,
	}
}

// signDet signs o deterministically.
func signDet(key *cose.PrivateKey, o Object) []byte {
	payload, err := Marshal(o)
	if err != nil {
		panic(err)
	}
	return cosetest.SignDeterministic(key, o.objectType().ContentType(), payload)
}

// fileOf builds a file from signed messages.
func fileOf(signed ...[]byte) *File {
	f, err := NewFile(signed...)
	if err != nil {
		panic(err)
	}
	return f
}
