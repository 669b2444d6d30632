//go:build !linux

package fingerprint

// collect is not implemented outside Linux: the sysroot layout it reads
// (sys/class, proc/cpuinfo) is Linux's.
func (c *collector) collect() error { return ErrUnsupported }
