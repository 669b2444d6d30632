package licetcli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// passphraseSource says where a command finds the passphrase that protects
// the vendor key: a file named by a flag, the LICET_PASSPHRASE variable, or
// a prompt on the controlling terminal, in that order.
type passphraseSource struct {
	file string
}

// read returns the passphrase. With confirm, a prompt asks twice.
func (s passphraseSource) read(e *Env, confirm bool) ([]byte, error) {
	if s.file != "" {
		b, err := os.ReadFile(s.file)
		if err != nil {
			return nil, withHint(fmt.Errorf("reading passphrase file: %w", err),
				"--passphrase-file names a file that holds the passphrase; or set LICET_PASSPHRASE")
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(b) == 0 {
			return nil, withHint(fmt.Errorf("passphrase file %s is empty", s.file),
				"write the passphrase into it, on one line")
		}
		return b, nil
	}
	if v := e.Getenv("LICET_PASSPHRASE"); v != "" {
		return []byte(v), nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		if tty != nil {
			tty.Close()
		}
		return nil, withHint(errors.New("no passphrase: no terminal to prompt on"),
			"set LICET_PASSPHRASE or pass --passphrase-file FILE")
	}
	defer tty.Close()
	ask := func(prompt string) ([]byte, error) {
		fmt.Fprint(tty, prompt)
		p, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		return p, err
	}
	p, err := ask("Passphrase for the vendor key: ")
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	if len(strings.TrimSpace(string(p))) == 0 {
		return nil, errors.New("empty passphrase")
	}
	if confirm {
		q, err := ask("Repeat the passphrase: ")
		if err != nil {
			return nil, fmt.Errorf("reading passphrase: %w", err)
		}
		if !bytes.Equal(p, q) {
			return nil, errors.New("the two passphrases differ")
		}
	}
	return p, nil
}
