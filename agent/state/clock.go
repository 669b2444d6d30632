package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Clock record payload (big-endian): version 1 (1 byte), Unix seconds
// (int64), nanoseconds (uint32, below 1e9). 13 bytes.
const clockSize = 1 + 8 + 4

// Clock returns the persisted high-water mark of trusted time: the latest
// time ever passed to AdvanceClock. It is the zero time when none was
// recorded, and a *FileError when the record is damaged or edited (the
// caller decides how to treat an unknown clock; it is never guessed).
func (d *Dir) Clock() (time.Time, error) {
	b, err := d.get(ClockName)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return time.Time{}, nil
		}
		return time.Time{}, err
	}
	t, err := decodeClock(b)
	if err != nil {
		return time.Time{}, &FileError{Name: ClockName, Err: ErrCorrupt, Reason: err.Error()}
	}
	return t, nil
}

// AdvanceClock raises the high-water mark to t if t is later and returns
// the mark after the call. The mark never goes back: an earlier t (a clock
// turned back) leaves it as it is, which lets the caller compare. A zero t
// changes nothing. The read-modify-write holds the directory lock.
func (d *Dir) AdvanceClock(t time.Time) (time.Time, error) {
	unlock, err := d.lock()
	if err != nil {
		return time.Time{}, err
	}
	defer unlock()
	cur, err := d.Clock()
	if err != nil {
		return time.Time{}, err
	}
	if t.IsZero() || !t.After(cur) {
		return cur, nil
	}
	if y := t.Year(); y < 1970 || y > 9999 {
		return cur, fmt.Errorf("state: clock: time %v out of range", t)
	}
	t = t.UTC().Round(0)
	if err := d.writeFile(ClockName, seal(d.key, d.keyID, ClockName, encodeClock(t))); err != nil {
		return cur, err
	}
	return t, nil
}

func encodeClock(t time.Time) []byte {
	b := make([]byte, 0, clockSize)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

func decodeClock(b []byte) (time.Time, error) {
	if len(b) != clockSize {
		return time.Time{}, fmt.Errorf("clock record of %d bytes, want %d", len(b), clockSize)
	}
	if b[0] != 1 {
		return time.Time{}, fmt.Errorf("clock record version %d", b[0])
	}
	sec := int64(binary.BigEndian.Uint64(b[1:]))
	nsec := binary.BigEndian.Uint32(b[9:])
	if nsec >= 1e9 {
		return time.Time{}, fmt.Errorf("clock record nanoseconds %d out of range", nsec)
	}
	t := time.Unix(sec, int64(nsec)).UTC()
	if t.IsZero() || t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("clock record time %d out of range", sec)
	}
	return t, nil
}
