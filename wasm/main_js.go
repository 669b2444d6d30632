//go:build js && wasm

package main

import (
	"fmt"
	"runtime/debug"
	"syscall/js"
)

// apiVersion is the version of the JavaScript API described in licet.d.ts;
// it changes when a function changes incompatibly.
const apiVersion = 1

func main() {
	api := map[string]any{
		"apiVersion": apiVersion,
		"version":    buildVersion(),
	}
	registerDevcode(api)
	js.Global().Set("licet", js.ValueOf(api))
	// Stay alive to answer calls.
	select {}
}

// fn wraps a Go function as a JavaScript one. It checks that the function
// got want string arguments, and turns a panic into an error answer instead
// of crashing the module.
func fn(name string, nargs int, f func(args []string) map[string]any) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) (ret any) {
		defer func() {
			if r := recover(); r != nil {
				ret = js.ValueOf(errorAnswer("internal", fmt.Sprintf("licet.%s: %v", name, r)))
			}
		}()
		if len(args) < nargs {
			return js.ValueOf(errorAnswer("argument", fmt.Sprintf("licet.%s: %d arguments, want %d", name, len(args), nargs)))
		}
		strs := make([]string, nargs)
		for i := range nargs {
			if args[i].Type() != js.TypeString {
				return js.ValueOf(errorAnswer("argument", fmt.Sprintf("licet.%s: argument %d is %s, want string", name, i+1, args[i].Type())))
			}
			strs[i] = args[i].String()
		}
		return js.ValueOf(f(strs))
	})
}

func errorAnswer(kind, msg string) map[string]any {
	return map[string]any{"ok": false, "result": "invalid", "error": map[string]any{"kind": kind, "message": msg}}
}

// buildVersion names the build: the module version, else the VCS revision.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 && (v == "" || v == "(devel)") {
			v = s.Value[:12]
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
