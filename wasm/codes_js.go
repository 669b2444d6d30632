//go:build js && wasm

package main

// registerCodes adds the confirmation- and release-code functions.
func registerCodes(api map[string]any) {
	api["parseConfirmationCode"] = fn("parseConfirmationCode", func(a *args) any { return parseConfirmationCode(a.str(0, "code")) })
	api["checkConfirmationCode"] = fn("checkConfirmationCode", func(a *args) any { return checkConfirmationCode(a.str(0, "code")) })
	api["parseReleaseCode"] = fn("parseReleaseCode", func(a *args) any { return parseReleaseCode(a.str(0, "code")) })
	api["checkReleaseCode"] = fn("checkReleaseCode", func(a *args) any { return checkReleaseCode(a.str(0, "code")) })
}
