//go:build js && wasm

package main

import (
	"math"
	"syscall/js"

	"licet.dev/licet/airgap/fountain"
)

// registerFrames adds the animated-QR sender and receiver. Both are
// objects with methods bound to Go state; release() frees them.
func registerFrames(api map[string]any) {
	api["newSender"] = fn("newSender", func(a *args) any {
		payload := a.bytes(0, "payload", true)
		o := a.options(1, "options")
		bs := o.int("blockSize", 0, 1, fountain.MaxBlockSize)
		id := o.int("transferId", 0, 0, math.MaxUint32)
		if a.err != "" {
			return nil
		}
		e, out := newSender(payload, int(bs), uint32(id))
		if e == nil {
			return out
		}
		var funcs []js.Func
		method := func(name string, f func(a *args) any) {
			jf := fn(name, f)
			funcs = append(funcs, jf)
			out[name] = jf
		}
		method("frame", func(a *args) any {
			v := a.get(0)
			if v.Type() != js.TypeNumber || v.Float() < 0 || v.Float() > math.MaxUint32 || v.Float() != math.Trunc(v.Float()) {
				a.fail(0, "seq", "is %v, want an integer from 0 to 4294967295", v)
				return nil
			}
			return e.Frame(uint32(v.Float()))
		})
		method("release", func(*args) any {
			for _, f := range funcs {
				f.Release()
			}
			return nil
		})
		return out
	})
	api["newReceiver"] = fn("newReceiver", func(a *args) any {
		o := a.options(0, "options")
		r := newReceiver(int(o.int("switchAfter", 6, 0, 1000)))
		if a.err != "" {
			return nil
		}
		out := map[string]any{"ok": true}
		var funcs []js.Func
		method := func(name string, f func(a *args) any) {
			jf := fn(name, f)
			funcs = append(funcs, jf)
			out[name] = jf
		}
		method("add", func(a *args) any { return r.add(a.str(0, "frame")) })
		method("progress", func(*args) any { return progressValue(r.d.Progress()) })
		method("payload", func(*args) any { return r.payload() })
		method("reset", func(*args) any { r.d.Reset(); r.streak = 0; return progressValue(r.d.Progress()) })
		method("release", func(*args) any {
			for _, f := range funcs {
				f.Release()
			}
			return nil
		})
		return out
	})
}
