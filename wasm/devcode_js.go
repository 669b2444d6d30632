//go:build js && wasm

package main

// registerDevcode adds the device-code functions to the global object.
func registerDevcode(api map[string]any) {
	api["parseDeviceCode"] = fn("parseDeviceCode", 1, func(a []string) map[string]any { return parseDeviceCode(a[0]) })
	api["checkDeviceCode"] = fn("checkDeviceCode", 1, func(a []string) map[string]any { return checkDeviceCode(a[0]) })
}
