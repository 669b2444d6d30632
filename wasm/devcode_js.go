//go:build js && wasm

package main

// registerDevcode adds the device-code functions to the global object.
func registerDevcode(api map[string]any) {
	api["parseDeviceCode"] = fn("parseDeviceCode", func(a *args) any { return parseDeviceCode(a.str(0, "code")) })
	api["checkDeviceCode"] = fn("checkDeviceCode", func(a *args) any { return checkDeviceCode(a.str(0, "code")) })
}
