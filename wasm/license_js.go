//go:build js && wasm

package main

// registerLicense adds reading and verifying license files.
func registerLicense(api map[string]any) {
	api["readLicenseFile"] = fn("readLicenseFile", func(a *args) any {
		return readLicenseFile(a.bytes(0, "file", true))
	})
	api["verifyLicense"] = fn("verifyLicense", func(a *args) any {
		file := a.bytes(0, "file", true)
		roots := a.str(1, "roots")
		now := a.instant(2, "now")
		if a.err != "" {
			return nil
		}
		return verifyLicense(file, roots, now)
	})
}
