package licetcli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"licet.dev/licet/airgap/fountain"
)

func init() {
	register("qr frames", "split a file into animated-QR frame texts", runQRFrames)
	register("qr join", "rebuild a file from animated-QR frame texts", runQRJoin)
}

func runQRFrames(e *Env, args []string) error {
	fs := newFlags(e, "qr frames",
		"usage: licet qr frames FILE [--block N] [--count N] [--id HEX]",
		"Prints the animated-QR frames of FILE (- for standard input), one text per line,",
		"each for one QR code in alphanumeric mode. Show them in a loop at 6 to 8 frames a second.")
	block := fs.Int("block", fountain.DefaultBlockSize, "largest block `size` in bytes (1 to 2048; 400 fits a version 16 QR code at level M)")
	count := fs.Int("count", 0, "number of frames to print (default: the first loop, all source frames and their repair frames)")
	id := fs.String("id", "", "transfer id, 8 hex digits (default: from the SHA-256 of the file)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one FILE, got %d arguments", len(pos))
	}
	if *block < 1 || *block > fountain.MaxBlockSize {
		return usagef("--block %d is outside 1 to %d", *block, fountain.MaxBlockSize)
	}
	if *count < 0 {
		return usagef("--count %d is negative", *count)
	}
	opts := fountain.Options{BlockSize: *block}
	if *id != "" {
		v, err := strconv.ParseUint(*id, 16, 32)
		if err != nil || v == 0 {
			return usagef("--id %q is not a non-zero 32-bit hex number", *id)
		}
		opts.TransferID = uint32(v)
	}
	payload, err := readFile(pos[0], e.Stdin, fountain.MaxPayload, "animated-QR transfer")
	if err != nil {
		return err
	}
	enc, err := fountain.NewEncoder(payload, opts)
	if err != nil {
		if len(payload) == 0 {
			return withHint(err, fmt.Sprintf("%s is empty; there is nothing to send", pos[0]))
		}
		return err
	}
	n := *count
	if n == 0 {
		n = enc.LoopLen()
	}
	w := bufio.NewWriter(e.Stdout)
	for seq := range n {
		fmt.Fprintln(w, enc.Frame(uint32(seq)))
	}
	return w.Flush()
}

func runQRJoin(e *Env, args []string) error {
	fs := newFlags(e, "qr join",
		"usage: licet qr join [--out FILE] < FRAMES",
		"Reads animated-QR frame texts on standard input, one per line, in any order, and",
		"writes the file they carry as soon as it is complete. Blank lines are ignored; damaged",
		"frames and frames of another transfer than the first frame's are reported and skipped.")
	out := fs.String("out", "", "write the file to `FILE` instead of standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("qr join reads frames on standard input and takes no arguments")
	}
	j := newJoiner(e)
	r := bufio.NewReader(e.Stdin)
	for line := 1; j.done == nil; line++ {
		text, rerr := r.ReadString('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("reading standard input: %w", rerr)
		}
		if text = strings.TrimSpace(text); text != "" {
			j.add(line, text)
		}
		if rerr != nil {
			break
		}
	}
	payload, err := j.result()
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := e.Stdout.Write(payload)
		return err
	}
	if err := writeFile(*out, payload, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "wrote %s: %d bytes from %d frames\n", *out, len(payload), j.done.Progress().Frames)
	return nil
}

// maxTransfers bounds the transfers a join follows at once.
const maxTransfers = 16

// maxLineReports bounds the damaged lines a join reports one by one.
const maxLineReports = 20

// joiner feeds frames to one decoder per transfer, so that a stray frame
// of another transfer, even the first one, cannot spoil a join; it
// finishes with the first transfer that completes.
type joiner struct {
	e       *Env
	order   []fountain.Transfer
	decs    map[fountain.Transfer]*fountain.Decoder
	done    *fountain.Decoder
	bad     int // malformed lines
	dropped int // frames of transfers over maxTransfers
}

func newJoiner(e *Env) *joiner {
	return &joiner{e: e, decs: map[fountain.Transfer]*fountain.Decoder{}}
}

func (j *joiner) add(line int, text string) {
	f, err := fountain.ParseFrame(text)
	if err != nil {
		j.bad++
		if j.bad <= maxLineReports {
			fmt.Fprintf(j.e.Stderr, "licet qr join: line %d skipped: %v\n", line, err)
		}
		return
	}
	t := f.Transfer()
	d := j.decs[t]
	if d == nil {
		if len(j.decs) == maxTransfers {
			j.dropped++
			return
		}
		d = fountain.NewDecoder()
		j.decs[t] = d
		j.order = append(j.order, t)
	}
	if _, err := d.AddFrame(f); err != nil {
		j.bad++
		fmt.Fprintf(j.e.Stderr, "licet qr join: line %d skipped: %v\n", line, err)
		return
	}
	if d.Done() {
		j.done = d
	}
}

// result reports the other transfers seen and returns the payload of the
// completed one, or says what is missing.
func (j *joiner) result() ([]byte, error) {
	if j.bad > maxLineReports {
		fmt.Fprintf(j.e.Stderr, "licet qr join: %d damaged lines in all\n", j.bad)
	}
	// The transfer to report on: the completed one, else the one with the
	// most independent frames.
	main := j.done
	for _, t := range j.order {
		if d := j.decs[t]; main == nil || (j.done == nil && d.Progress().Rank > main.Progress().Rank) {
			main = d
		}
	}
	for _, t := range j.order {
		if d := j.decs[t]; d != main {
			fmt.Fprintf(j.e.Stderr, "licet qr join: skipped %s of another transfer, %v\n", countNoun(d.Progress().Frames, "frame"), t)
		}
	}
	if j.dropped > 0 {
		fmt.Fprintf(j.e.Stderr, "licet qr join: skipped %s of more than %d transfers\n", countNoun(j.dropped, "frame"), maxTransfers)
	}
	if main == nil {
		msg := "no frame on standard input"
		if j.bad > 0 {
			msg += fmt.Sprintf(", only %s skipped as damaged", countNoun(j.bad, "line"))
		}
		return nil, withHint(errors.New(msg),
			"pipe in the output of 'licet qr frames' or of a QR scanner, one frame per line")
	}
	p := main.Progress()
	payload, err := main.Payload()
	if errors.Is(err, fountain.ErrIncomplete) {
		return nil, withHint(fmt.Errorf("incomplete: %d of %d blocks of transfer %v missing after %s; at least %s needed",
			p.Missing(), p.Transfer.Blocks, p.Transfer, countNoun(p.Frames, "frame"), countNoun(p.Transfer.Blocks-p.Rank, "more frame")), "add more frames of the same transfer, in any order")
	}
	return payload, err
}

// countNoun returns "1 frame" or "n frames".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
