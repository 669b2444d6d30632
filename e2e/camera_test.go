package e2e

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"

	"licet.dev/licet/airgap/fountain"
	"licet.dev/licet/airgap/qr"
)

// A fake camera for Chromium (--use-file-for-fake-video-capture): a Y4M
// file of raw I420 frames, each one QR code drawn black on white in the
// middle of the picture. Chromium plays it at the frame rate of its header
// and starts again at the end.

// y4mOptions describe the video.
type y4mOptions struct {
	Width, Height int     // pixels; even
	FPS           int     // frames per second
	Loss          float64 // fraction of frames left out, at random
	Seed          uint64  // of the random losses
}

// writeQRVideo writes a Y4M file that shows the QR codes of texts one per
// frame, leaving out a fraction Loss of them, and returns how many it kept.
func writeQRVideo(path string, texts []string, o y4mOptions) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", o.Width, o.Height, o.FPS)
	rng := rand.New(rand.NewPCG(o.Seed, 0x11ce7))
	y := make([]byte, o.Width*o.Height)
	chroma := make([]byte, o.Width*o.Height/2)
	for i := range chroma {
		chroma[i] = 128
	}
	kept := 0
	for _, text := range texts {
		if rng.Float64() < o.Loss {
			continue
		}
		c, err := qr.Alphanumeric(text, qr.M, qr.MaxVersion)
		if err != nil {
			return 0, err
		}
		drawQR(y, o.Width, o.Height, c)
		if _, err := w.WriteString("FRAME\n"); err != nil {
			return 0, err
		}
		w.Write(y)
		w.Write(chroma)
		kept++
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return kept, f.Close()
}

// drawQR paints the luma plane white with the code as large as fits with
// its quiet zone, centred.
func drawQR(y []byte, width, height int, c *qr.Code) {
	n := c.Size + 2*qr.QuietZone
	scale := min(width, height) / n
	x0, y0 := (width-n*scale)/2, (height-n*scale)/2
	for i := range y {
		y[i] = 235
	}
	for my := range c.Size {
		for mx := range c.Size {
			if !c.Dark(mx, my) {
				continue
			}
			px, py := x0+(mx+qr.QuietZone)*scale, y0+(my+qr.QuietZone)*scale
			for dy := range scale {
				row := y[(py+dy)*width:]
				for dx := range scale {
					row[px+dx] = 16
				}
			}
		}
	}
}

// animatedQRVideo writes the fake camera's video of an animated QR of
// payload at fps frames per second, frames 0 to n-1 of the sender (the
// first loop, then fresh repair frames) with a fraction loss left out.
func animatedQRVideo(path string, payload []byte, n, fps int, loss float64) (kept, loop int, err error) {
	e, err := fountain.NewEncoder(payload, fountain.Options{})
	if err != nil {
		return 0, 0, err
	}
	kept, err = writeQRVideo(path, e.Frames(n), y4mOptions{Width: 1280, Height: 720, FPS: fps, Loss: loss, Seed: 5})
	return kept, e.LoopLen(), err
}
