package licetdcli

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"licet.dev/licet/agent"
	"licet.dev/licet/airgap/fountain"
	"licet.dev/licet/airgap/scan"
	"licet.dev/licet/codec/confirm"
)

func init() {
	register("scan", "read a license from photos or screenshots of its animated QR code", runScan)
}

// maxScanTransfers bounds the transfers a scan follows at once.
const maxScanTransfers = 8

func runScan(e *Env, args []string) error {
	fs := newFlags(e, "scan",
		"usage: licetd scan IMAGE|DIR... [settings]",
		"",
		"Reads QR codes from image files (PNG, JPEG or GIF; light-on-dark codes are read too):",
		"the frames of an animated QR code, in any order, with repeats and gaps, until the license",
		"they carry is complete, which is then imported as 'licetd import' would. An order license",
		"is kept for confirmation codes. A QR code holding a confirmation code activates the",
		"terminal as 'licetd confirm' would. A directory stands for the files in it. Images without",
		"a readable code are reported and skipped.")
	pos, cfg, err := fs.parse(args, func(pos []string) error {
		if len(pos) == 0 {
			return usagef("want at least one image file")
		}
		return nil
	})
	if err != nil {
		return err
	}
	paths, err := imagePaths(pos)
	if err != nil {
		return err
	}

	decs := map[fountain.Transfer]*fountain.Decoder{}
	var order []fountain.Transfer
	var done *fountain.Decoder
	var code string
	read, skipped, notImages := 0, 0, 0
	for _, path := range paths {
		text, err := scanImage(path)
		if err != nil {
			skipped++
			if errors.Is(err, image.ErrFormat) {
				notImages++
			}
			fmt.Fprintf(e.Stderr, "licetd scan: %s: %v\n", path, strings.TrimPrefix(err.Error(), "scan: "))
			continue
		}
		read++
		if p, err := confirm.Parse(text); err == nil {
			code = p.Canonical
			continue
		}
		f, err := fountain.ParseFrame(text)
		if err != nil {
			skipped++
			fmt.Fprintf(e.Stderr, "licetd scan: %s: the QR code is neither a frame of a license nor a confirmation code: %v\n", path, err)
			continue
		}
		t := f.Transfer()
		d := decs[t]
		if d == nil {
			if len(decs) == maxScanTransfers {
				skipped++
				continue
			}
			d = fountain.NewDecoder()
			decs[t] = d
			order = append(order, t)
		}
		if _, err := d.AddFrame(f); err != nil {
			skipped++
			fmt.Fprintf(e.Stderr, "licetd scan: %s: %v\n", path, err)
			continue
		}
		if d.Done() && done == nil {
			done = d
		}
	}

	switch {
	case done == nil && code != "":
		a, err := agent.Open(cfg)
		if err != nil {
			return err
		}
		res, err := a.Confirm(code)
		if err != nil {
			return err
		}
		return printConfirmed(e, res, false)
	case done == nil && len(order) == 0 && notImages == len(paths):
		return withHint(fmt.Errorf("no QR code read: %d file(s) not PNG, JPEG or GIF images", notImages),
			"scan reads photos or screenshots of the QR code; a license file is imported with 'licetd import FILE'")
	case done == nil && len(order) == 0:
		return withHint(fmt.Errorf("no QR code read in %d image(s)", len(paths)),
			"photograph the animated QR code so that it fills most of the picture, in focus")
	case done == nil:
		// Report on the transfer that got furthest.
		best := decs[order[0]]
		for _, t := range order[1:] {
			if d := decs[t]; d.Progress().Rank > best.Progress().Rank {
				best = d
			}
		}
		p := best.Progress()
		return withHint(fmt.Errorf("incomplete: %d of %d parts of transfer %v missing after %d frame(s); at least %d more frame(s) needed",
			p.Missing(), p.Transfer.Blocks, p.Transfer, p.Frames, p.Transfer.Blocks-p.Rank),
			"add images of more frames of the same animated QR code, in any order")
	}
	payload, err := done.Payload()
	if err != nil {
		return err
	}
	p := done.Progress()
	fmt.Fprintf(e.Stderr, "licetd scan: read %d bytes from %d frame(s) in %d image(s)", len(payload), p.Frames, read)
	if skipped > 0 {
		fmt.Fprintf(e.Stderr, ", %d skipped", skipped)
	}
	fmt.Fprintln(e.Stderr)

	a, err := agent.Open(cfg)
	if err != nil {
		return err
	}
	return importFile(e, a, payload)
}

// maxScanImages bounds the images one scan reads.
const maxScanImages = 10000

// imagePaths expands directories into the regular files they hold, in
// name order.
func imagePaths(args []string) ([]string, error) {
	var paths []string
	for _, p := range args {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			paths = append(paths, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, ent := range ents {
			if ent.Type().IsRegular() {
				paths = append(paths, filepath.Join(p, ent.Name()))
			}
		}
	}
	if len(paths) > maxScanImages {
		return nil, usagef("%d images, at most %d in one scan", len(paths), maxScanImages)
	}
	if len(paths) == 0 {
		return nil, usagef("no image files in %s", strings.Join(args, " "))
	}
	return paths, nil
}

// scanImage returns the text of the QR code in an image file.
func scanImage(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	res, err := scan.Decode(f)
	if err != nil {
		if errors.Is(err, scan.ErrNotFound) {
			return "", errors.New("no readable QR code")
		}
		return "", err
	}
	return res.Text, nil
}
