package main

import (
	"errors"
	"fmt"

	"licet.dev/licet/airgap/fountain"
)

// transferValue describes a transfer for JavaScript.
func transferValue(t fountain.Transfer) map[string]any {
	return map[string]any{
		"id":     fmt.Sprintf("%08x", t.ID),
		"length": t.Length,
		"blocks": t.Blocks,
		"check":  fmt.Sprintf("%08x", t.Check),
	}
}

// newSender makes the encoder behind licet.newSender: the frames of an
// animated QR of payload. blockSize 0 is the default (400 bytes, QR
// version 16 at level M); transferID 0 derives the id from the payload.
func newSender(payload []byte, blockSize int, transferID uint32) (*fountain.Encoder, map[string]any) {
	e, err := fountain.NewEncoder(payload, fountain.Options{BlockSize: blockSize, TransferID: transferID})
	if err != nil {
		return nil, failure("payload", err)
	}
	return e, senderValue(e)
}

func senderValue(e *fountain.Encoder) map[string]any {
	return map[string]any{
		"ok":          true,
		"result":      "valid",
		"transfer":    transferValue(e.Transfer()),
		"block_size":  e.BlockSize(),
		"loop_length": e.LoopLen(),
		"frame_chars": fountain.TextLen(e.BlockSize()),
	}
}

// receiver is the state behind licet.newReceiver: a fountain decoder that
// follows the transfer on screen. A camera may first catch a frame of an
// earlier transfer (a screen that still showed it); when frames of one
// other transfer keep coming while the current one gains nothing, the
// receiver switches to it.
type receiver struct {
	d           *fountain.Decoder
	switchAfter int               // consecutive frames of one other transfer that make it switch; 0: never
	foreign     fountain.Transfer // the other transfer seen last
	streak      int               // how many of its frames in a row
}

func newReceiver(switchAfter int) *receiver {
	return &receiver{d: fountain.NewDecoder(), switchAfter: switchAfter}
}

// add is receiver.add(text):
//
//	{ok, result: "new"|"redundant"|"done"|"foreign"|"switched"|"malformed",
//	 progress, error?}
//
// "new": the frame added information; "redundant": a duplicate or a frame
// of nothing new; "done": the payload can be read; "foreign": a frame of
// another transfer, ignored; "switched": the receiver dropped what it had
// and started on the other transfer; "malformed": not a frame (ok false).
func (r *receiver) add(text string) map[string]any {
	before := r.d.Progress()
	p, err := r.d.Add(text)
	result := ""
	var fe *fountain.ForeignError
	switch {
	case errors.As(err, &fe):
		if fe.Frame != r.foreign {
			r.foreign, r.streak = fe.Frame, 0
		}
		r.streak++
		if r.switchAfter <= 0 || r.streak < r.switchAfter {
			out := r.answer("foreign", p)
			out["error"] = map[string]any{"kind": "foreign", "message": err.Error()}
			return out
		}
		r.d.Reset()
		r.streak = 0
		if p, err = r.d.Add(text); err != nil {
			return r.malformed(err)
		}
		result = "switched"
	case err != nil:
		return r.malformed(err)
	default:
		r.streak = 0
		result = "redundant"
		if p.Rank > before.Rank {
			result = "new"
		}
	}
	if p.Done() && result != "redundant" {
		result = "done"
	}
	return r.answer(result, p)
}

func (r *receiver) malformed(err error) map[string]any {
	out := r.answer("malformed", r.d.Progress())
	out["ok"] = false
	out["error"] = map[string]any{"kind": "malformed", "message": err.Error()}
	return out
}

func (r *receiver) answer(result string, p fountain.Progress) map[string]any {
	return map[string]any{"ok": true, "result": result, "progress": progressValue(p)}
}

// progressValue is receiver.progress().
func progressValue(p fountain.Progress) map[string]any {
	out := map[string]any{
		"frames":  p.Frames,
		"rank":    p.Rank,
		"known":   p.Known,
		"blocks":  p.Transfer.Blocks,
		"missing": p.Missing(),
		"done":    p.Frames > 0 && p.Done(),
	}
	if p.Frames > 0 {
		out["transfer"] = transferValue(p.Transfer)
	}
	return out
}

// payload is receiver.payload(): {ok: true, payload (Uint8Array)} once
// done, else {ok: false, error: {kind: "incomplete"|"checksum"}}.
func (r *receiver) payload() map[string]any {
	b, err := r.d.Payload()
	switch {
	case errors.Is(err, fountain.ErrIncomplete):
		return failure("incomplete", err)
	case err != nil:
		return failure("checksum", err)
	}
	return map[string]any{"ok": true, "result": "valid", "payload": b, "transfer": transferValue(r.d.Progress().Transfer)}
}
