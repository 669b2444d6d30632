package licetcli

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"licet.dev/licet/codec/devcode"
)

func init() {
	register("code decode", "check, correct and decode device codes", runCodeDecode)
	register("code example", "print a fresh valid device code", runCodeExample)
}

// deviceCodeHint is the next step after a device code that does not
// parse.
const deviceCodeHint = "read the code again from the terminal's screen; one wrong character is corrected, two are not"

// readDeviceCode parses the --device-code flag of the command name and
// tells the user on standard error which character it corrected.
func readDeviceCode(e *Env, name, code string) (devcode.Parsed, error) {
	p, err := devcode.Parse(code)
	if err != nil {
		return p, withHint(fmt.Errorf("--device-code: %w", err), deviceCodeHint)
	}
	for _, c := range p.Corrections {
		fmt.Fprintf(e.Stderr, "licet %s: device code corrected: %v; using %s\n", name, c, p.Canonical)
	}
	return p, nil
}

func runCodeDecode(e *Env, args []string) error {
	fs := newFlags(e, "code decode",
		"usage: licet code decode [--json] CODE... | -",
		"",
		"Checks each device code, corrects a single wrong character, and prints the",
		"canonical form and the fields. '-' reads one code per line from standard input.",
		"Exits 0 when every code is valid or was corrected, 1 otherwise.")
	asJSON := fs.Bool("json", false, "print one JSON object per code and line")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("no device code given")
	}
	total, bad := 0, 0
	decode := func(input string) error {
		total++
		p, err := devcode.Parse(input)
		if err != nil {
			bad++
		}
		if *asJSON {
			return writeCodeJSON(e.Stdout, input, p, err)
		}
		if total > 1 {
			fmt.Fprintln(e.Stdout)
		}
		writeCodeText(e.Stdout, input, p, err)
		return nil
	}
	for _, arg := range pos {
		if arg != "-" {
			if err := decode(arg); err != nil {
				return err
			}
			continue
		}
		sc := bufio.NewScanner(e.Stdin)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			if err := decode(line); err != nil {
				return err
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
	}
	if bad > 0 {
		h := deviceCodeHint
		if len(pos) > 1 && !slices.Contains(pos, "-") && joinedIsCode(pos) {
			// The groups of one code, typed with spaces and no quotes.
			h = "the arguments are the groups of one code; quote it: licet code decode '" + strings.Join(pos, " ") + "'"
		}
		return &ExitError{Code: 1, Err: withHint(fmt.Errorf("%d of %d codes invalid", bad, total), h)}
	}
	return nil
}

func writeCodeText(w io.Writer, input string, p devcode.Parsed, err error) {
	if err != nil {
		fmt.Fprintf(w, "input:    %s\n", input)
		fmt.Fprintf(w, "status:   invalid: %v\n", err)
		return
	}
	if input != p.Canonical {
		fmt.Fprintf(w, "input:    %s\n", input)
	}
	fmt.Fprintf(w, "code:     %s\n", p.Canonical)
	if p.Corrected() {
		for _, c := range p.Corrections {
			fmt.Fprintf(w, "status:   corrected: %v\n", c)
		}
	} else {
		fmt.Fprintf(w, "status:   valid\n")
	}
	c := p.Code
	fmt.Fprintf(w, "version:  %d\n", c.Version)
	fmt.Fprintf(w, "flags:    %d\n", c.Flags)
	fmt.Fprintf(w, "product:  %d\n", c.Product)
	fmt.Fprintf(w, "digest:   %x\n", c.Digest[:])
	fmt.Fprintf(w, "nonce:    %d\n", c.Nonce)
}

// codeJSON is one line of 'licet code decode --json'; docs/cli.md lists
// the fields.
type codeJSON struct {
	Input       string           `json:"input"`
	Valid       bool             `json:"valid"`
	Corrected   bool             `json:"corrected"`
	Status      string           `json:"status"`
	Code        string           `json:"code"`
	Corrections []correctionJSON `json:"corrections"`
	Version     *uint8           `json:"version,omitempty"`
	Flags       *uint8           `json:"flags,omitempty"`
	Product     *uint16          `json:"product,omitempty"`
	Digest      string           `json:"digest,omitempty"`
	Nonce       *uint32          `json:"nonce,omitempty"`
	Error       string           `json:"error,omitempty"`
	ErrorKind   string           `json:"errorKind,omitempty"`
	Position    int              `json:"position,omitempty"`
}

type correctionJSON struct {
	Position int    `json:"position"`
	Group    int    `json:"group"`
	Was      string `json:"was"`
	Became   string `json:"became"`
}

func writeCodeJSON(w io.Writer, input string, p devcode.Parsed, err error) error {
	out := codeJSON{Input: input, Corrections: []correctionJSON{}}
	if err != nil {
		out.Status = "invalid"
		out.Error = err.Error()
		out.ErrorKind = devcode.ErrorKind(err)
		var se *devcode.SyntaxError
		if errors.As(err, &se) {
			out.Position = se.Pos
		}
	} else {
		c := p.Code
		out.Valid, out.Corrected, out.Code = true, p.Corrected(), p.Canonical
		out.Status = "valid"
		if out.Corrected {
			out.Status = "corrected"
		}
		for _, c := range p.Corrections {
			out.Corrections = append(out.Corrections, correctionJSON{Position: c.Pos, Group: c.Group(), Was: string(c.Was), Became: string(c.Became)})
		}
		out.Version, out.Flags, out.Product, out.Nonce = &c.Version, &c.Flags, &c.Product, &c.Nonce
		out.Digest = hex.EncodeToString(c.Digest[:])
	}
	return writeJSONLine(w, out)
}

// writeJSONLine writes v as JSON on one line, for output read line by line.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeJSON writes v as indented JSON, for a result people read too.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func runCodeExample(e *Env, args []string) error {
	fs := newFlags(e, "code example",
		"usage: licet code example [--product N] [--digest HEX] [--nonce N]",
		"",
		"Prints a fresh valid device code, with a random digest and nonce unless given.")
	product := fs.Uint64("product", 1, "product short `id` (0-65535)")
	digestHex := fs.String("digest", "", "birth-record digest, 16 hex `digits` (default random)")
	var nonce uint32
	nonceSet := false
	fs.Func("nonce", fmt.Sprintf("request `nonce` (0-%d, default random)", devcode.MaxNonce), func(s string) error {
		v, err := strconv.ParseUint(s, 0, 32)
		if err != nil || v > devcode.MaxNonce {
			return fmt.Errorf("not a number in 0-%d", devcode.MaxNonce)
		}
		nonce, nonceSet = uint32(v), true
		return nil
	})
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *product > 0xffff {
		return usagef("--product %d is out of range 0-65535", *product)
	}
	var digest [8]byte
	if *digestHex != "" {
		b, err := hex.DecodeString(*digestHex)
		if err != nil || len(b) != len(digest) {
			return usagef("--digest %q is not 16 hex digits", *digestHex)
		}
		copy(digest[:], b)
	} else if _, err := io.ReadFull(e.Rand, digest[:]); err != nil {
		return fmt.Errorf("reading randomness: %w", err)
	}
	if !nonceSet {
		var b [4]byte
		if _, err := io.ReadFull(e.Rand, b[:]); err != nil {
			return fmt.Errorf("reading randomness: %w", err)
		}
		nonce = binary.BigEndian.Uint32(b[:]) & devcode.MaxNonce
	}
	fmt.Fprintln(e.Stdout, devcode.New(uint16(*product), digest, nonce))
	return nil
}

// joinedIsCode says whether args, run together, make one device code.
func joinedIsCode(args []string) bool {
	_, err := devcode.Parse(strings.Join(args, ""))
	return err == nil
}
