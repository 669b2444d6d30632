package qr

import "rsc.io/qr/coding"

// AlphanumericMask encodes text like Alphanumeric but with the given
// version and mask, for tests that check every mask.
func AlphanumericMask(text string, version int, level Level, mask int) (*Code, error) {
	return encodeMask(coding.Alpha(text), version, level, mask)
}

// Penalty exposes the mask penalty score.
func (c *Code) Penalty() int { return c.penalty() }
