// Command wasm is Licet's WebAssembly module: the codec compiled for the
// browser (GOOS=js GOARCH=wasm, built by `make wasm` into
// site/static/wasm/licet.wasm). It installs one global object,
// globalThis.licet, whose functions take and return plain JavaScript values;
// licet.d.ts describes them.
//
// Each exposed area has a file of pure Go that computes the answer as plain
// values (maps, slices, strings, numbers: what syscall/js.ValueOf converts)
// and a _js.go file that binds it to JavaScript:
//
//	devcode.go, devcode_js.go   device codes: parseDeviceCode, checkDeviceCode
//	codes.go, codes_js.go       confirmation and release codes: parse, check
//	request.go, request_js.go   makeRequest (device code and request URL from
//	                            a birth record), requestURL, parseRequestURL,
//	                            parseRequestBundle
//	license.go, license_js.go   readLicenseFile, verifyLicense
//	frames.go, frames_js.go     animated QR: newSender, newReceiver
//	qr.go, qr_js.go             qrSVG
//	main_js.go                  the global object, version, argument checks
//
// The pure halves are tested natively against the codec's vector files; the
// built module is tested under Node by wasm/test/*.test.mjs against the same
// files. Functions never throw for bad input: they answer
// {ok: false, error: {kind, message}}. Bytes travel as Uint8Array.
//
// The module never links gozxing (TestFence): browsers scan camera frames
// with BarcodeDetector or zxing-wasm.
package main
