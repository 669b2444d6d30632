//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// Outside the browser the module has nothing to do; its pure parts are
// tested with go test.
func main() {
	fmt.Fprintln(os.Stderr, "licet wasm: this is the WebAssembly module; build it with GOOS=js GOARCH=wasm (make wasm)")
	os.Exit(2)
}
