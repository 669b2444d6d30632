package main

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

type frameVectors struct {
	Tests []struct {
		TcID       int    `json:"tcId"`
		Comment    string `json:"comment"`
		Payload    string `json:"payload"`
		BlockSize  int    `json:"blockSize"`
		TransferID uint32 `json:"transferId"`
		Seq        uint32 `json:"seq"`
		Text       string `json:"text"`
		Result     string `json:"result"`
	} `json:"tests"`
}

// TestFrameVectors makes every valid frame of the vector file with the
// sender, and feeds every frame to a receiver of its own transfer.
func TestFrameVectors(t *testing.T) {
	var f frameVectors
	readJSON(t, "airgap/fountain/testdata/vectors/frames.json", &f)
	rx := map[string]*receiver{}
	payloads := map[string][]byte{}
	for _, v := range f.Tests {
		if v.Result != "valid" {
			r := newReceiver(0)
			if got := r.add(v.Text); got["ok"] != false || got["result"] != "malformed" || errKind(got) != "malformed" {
				t.Errorf("tcId %d (%s): %v", v.TcID, v.Comment, got)
			}
			continue
		}
		payload := unhex(t, v.Payload)
		e, info := newSender(payload, v.BlockSize, v.TransferID)
		if e == nil {
			t.Fatalf("tcId %d: %v", v.TcID, info)
		}
		if got := e.Frame(v.Seq); got != v.Text {
			t.Errorf("tcId %d: frame %s, want %s", v.TcID, got, v.Text)
		}
		id := info["transfer"].(map[string]any)["id"].(string)
		if rx[id] == nil {
			rx[id] = newReceiver(0)
			payloads[id] = payload
		}
		if got := rx[id].add(v.Text); got["ok"] != true {
			t.Errorf("tcId %d: %v", v.TcID, got)
		}
	}
	done := 0
	for id, r := range rx {
		p := r.payload()
		if p["ok"] != true {
			continue
		}
		done++
		if !bytes.Equal(p["payload"].([]byte), payloads[id]) {
			t.Errorf("transfer %s: payload differs", id)
		}
	}
	if done == 0 {
		t.Error("no transfer of the vectors completed")
	}
}

// TestReceiverLossAndSwitch sends a 5 KB payload with 30% of frames lost
// and in shuffled order after a stray frame of another transfer, which the
// receiver drops once the new transfer's frames keep coming.
func TestReceiverLossAndSwitch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	payload := make([]byte, 5120)
	for i := range payload {
		payload[i] = byte(rng.UintN(256))
	}
	old, _ := newSender([]byte("an earlier transfer still on screen"), 0, 0)
	e, info := newSender(payload, 0, 0)
	if info["block_size"] != 394 || info["loop_length"] != 18 || info["frame_chars"] != 628 {
		t.Fatalf("sender: %v", info)
	}
	r := newReceiver(3)
	if got := r.add(old.Frame(5)); got["result"] != "done" {
		t.Fatalf("one-block transfer: %v", got)
	}
	var frames []string
	for seq := range uint32(60) {
		if rng.Float64() >= 0.3 {
			frames = append(frames, e.Frame(seq))
		}
	}
	rng.Shuffle(len(frames), func(i, j int) { frames[i], frames[j] = frames[j], frames[i] })
	results := map[string]int{}
	for _, fr := range frames {
		got := r.add(fr)
		results[got["result"].(string)]++
		if got["result"] == "done" {
			break
		}
	}
	if results["foreign"] != 2 || results["switched"] != 1 || results["done"] != 1 {
		t.Fatalf("results %v", results)
	}
	p := r.payload()
	if p["ok"] != true || !bytes.Equal(p["payload"].([]byte), payload) {
		t.Fatalf("payload: %v", p["error"])
	}
	// Incomplete and malformed answers.
	r2 := newReceiver(0)
	if got := r2.payload(); errKind(got) != "incomplete" {
		t.Errorf("empty receiver: %v", got)
	}
	if got := r2.add(e.Frame(0)); got["result"] != "new" || got["progress"].(map[string]any)["rank"] != 1 {
		t.Errorf("first frame: %v", got)
	}
	if got := r2.add(e.Frame(0)); got["result"] != "redundant" {
		t.Errorf("duplicate: %v", got)
	}
	if got := r2.add(old.Frame(0)); got["result"] != "foreign" {
		t.Errorf("switchAfter 0 switched: %v", got)
	}
	if _, got := newSender(nil, 0, 0); errKind(got) != "payload" {
		t.Errorf("empty payload: %v", got)
	}
}
