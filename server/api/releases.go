package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/release"
	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/store"
)

// Wrong release codes are guesses at an 80-bit tag: each account may get
// releaseBurst of them wrong at once, then one per releaseRefill. Right
// codes are not counted.
const (
	releaseBurst  = 10
	releaseRefill = 6 * time.Second
)

// releaseCreate is the body of POST /api/v1/releases.
type releaseCreate struct {
	Code string `json:"code" doc:"the 40-character release code a terminal showed ('licetd release'); one wrong character in each half is corrected"`
}

// releaseResult is the answer to a release code.
type releaseResult struct {
	License    license     `json:"license" doc:"the released license, status released"`
	ReleasedOn string      `json:"released_on" doc:"the day the terminal released it, by its own clock (YYYY-MM-DD)"`
	Correction *correction `json:"correction,omitempty" doc:"present when the code was corrected"`
	Already    bool        `json:"already" doc:"the license had been released before; nothing changed"`
}

// createRelease accepts a release code (docs/formats.md, "Release codes"):
// it finds the license the code names by the first 16 hex digits of its
// id, derives the activation's release secret from the license file or the
// confirmation code kept with it, checks the code's tag, and frees the
// seat. A valid code proves that its maker held the activation, not that
// the license is gone: the audit log records it as the customer's
// declaration.
func (a *API) createRelease(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	limitKey := "account " + strconv.FormatInt(p.AccountID, 10)
	if ok, wait := a.releaseLimits.Check(limitKey); !ok {
		return authErr(&auth.RetryError{Err: auth.ErrRateLimited, RetryAfter: wait})
	}
	var in releaseCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Code) == "" {
		return invalid{{Field: "code", Message: "is required"}}.err()
	}
	fail := func(err error) error {
		a.releaseLimits.Allow(limitKey)
		return err
	}
	rp, err := release.Parse(in.Code)
	if err != nil {
		return codeProblem(CodeInvalidRelease, "code", err, release.ErrorKind(err))
	}
	corr := correctionOf(in.Code, rp.Canonical, rp.Corrections)
	ctx := r.Context()
	cands, err := a.store.LicensesByPrefix(ctx, rp.Code.LicensePrefix())
	if err != nil {
		return storeErr(err, "license")
	}
	var match *store.License
	var mismatch error
	for i := range cands {
		err := checkRelease(cands[i], rp.Code)
		if err == nil {
			match = &cands[i]
			break
		}
		if errors.Is(err, release.ErrBadTag) {
			mismatch = err
		}
	}
	switch {
	case match == nil && mismatch != nil:
		return fail(&Error{Status: http.StatusUnprocessableEntity, Code: CodeReleaseMismatch,
			Public: "the code names license " + rp.Code.LicensePrefix() + "… but does not match it: check the code as the terminal shows it",
			Fields: []FieldError{{Field: "code", Message: "does not match the license it names", Kind: "bad-tag"}}, Err: mismatch})
	case match == nil:
		return fail(&Error{Status: http.StatusNotFound, Code: CodeLicenseNotFound,
			Public: "no license issued here has an id starting " + rp.Code.LicensePrefix()})
	}
	l := *match
	day := rp.Code.Date().Format(time.DateOnly)
	if !l.ReleasedAt.IsZero() {
		return writeJSON(w, http.StatusOK, releaseResult{License: a.licenseOf(l), ReleasedOn: day, Correction: corr, Already: true})
	}
	if l.ReplacedBy != "" {
		return errConflict("license "+l.ID+" was reissued as "+l.ReplacedBy+" since; release that one", nil)
	}
	act, err := a.store.ActivationByBinding(ctx, l.OrderID, l.Binding)
	if errors.Is(err, store.ErrNotFound) || err == nil && act.LicenseID != l.ID {
		return errConflict("license "+l.ID+" holds no seat any more: the terminal was released or activated again since", err)
	}
	if err != nil {
		return err
	}
	proof := sha256.Sum256([]byte(rp.Canonical))
	now := a.now()
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		if _, err := q.Release(ctx, store.Release{ActivationID: act.ID, Method: store.ReleaseCode, Proof: proof[:],
			By: actorName(r), Note: "release code of " + day, ReleasedAt: now}); err != nil {
			return err
		}
		return au.log(q, "license.release", "license:"+l.ID, map[string]any{
			"order": l.OrderID, "device_code": l.DeviceCode, "release_code": rp.Canonical, "released_on": day,
			"declaration": "the holder of this activation declares it released on " + day + "; a code proves possession, not deletion",
		})
	})
	if err != nil {
		return storeErr(err, "license")
	}
	if l, err = a.store.License(ctx, l.ID); err != nil {
		return storeErr(err, "license")
	}
	return writeJSON(w, http.StatusOK, releaseResult{License: a.licenseOf(l), ReleasedOn: day, Correction: corr})
}

// checkRelease checks a release code against the activation a license
// record stands for: its file (a device license or lease) and, for an
// activation by confirmation code, the code. The error matches
// release.ErrBadTag when the code names the license but does not verify.
func checkRelease(l store.License, c release.Code) error {
	var errs []error
	if l.Kind == store.KindDevice && len(l.File) > 0 {
		act, err := release.FromFile(l.File)
		if err == nil {
			if err = act.Check(c); err == nil {
				return nil
			}
		}
		errs = append(errs, err)
	}
	if l.Code != "" {
		var cc confirm.Code
		err := cc.UnmarshalText([]byte(l.Code))
		if err == nil {
			var act release.Activation
			if act, err = release.FromConfirmation(cc); err == nil {
				if err = act.Check(c); err == nil {
					return nil
				}
			}
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return fmt.Errorf("%w: license %s is a %s license", release.ErrNotActivation, l.ID, l.Kind)
	}
	return errors.Join(errs...)
}
