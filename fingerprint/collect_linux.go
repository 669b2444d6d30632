package fingerprint

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// collect reads every source of a Linux machine below the sysroot.
func (c *collector) collect() error {
	c.machineID()
	c.dmi()
	c.nics()
	c.disks()
	c.cpu()
	c.tpm()
	return nil
}

func (c *collector) machineID() {
	var firstErr error
	var firstSrc string
	for _, src := range []string{"etc/machine-id", "var/lib/dbus/machine-id"} {
		v, err := c.fs.readString(src)
		if err == nil {
			v, err = normMachineID(v)
			if err == nil {
				c.add(KindMachineID, src, v)
				return
			}
			c.ignore(KindMachineID, src, err)
			return
		}
		if firstErr == nil || (errors.Is(firstErr, fs.ErrNotExist) && !errors.Is(err, fs.ErrNotExist)) {
			firstErr, firstSrc = err, src
		}
	}
	c.skip(KindMachineID, firstSrc, firstErr)
}

func (c *collector) dmi() {
	const dir = "sys/class/dmi/id"
	if !c.fs.exists(dir) {
		c.skip(KindProductUUID, dir, fs.ErrNotExist)
		return
	}
	for _, f := range []struct {
		kind Kind
		name string
	}{
		{KindProductUUID, "product_uuid"},
		{KindProductSerial, "product_serial"},
		{KindBoardSerial, "board_serial"},
		{KindChassisSerial, "chassis_serial"},
	} {
		src := dir + "/" + f.name
		v, err := c.fs.readString(src)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				err = fmt.Errorf("%w (readable by root only)", unwrapPath(err))
			}
			c.skip(f.kind, src, err)
			continue
		}
		if v, err = normDMI(v); err != nil {
			c.ignore(f.kind, src, err)
			continue
		}
		c.add(f.kind, src, v)
	}
}

// Name prefixes of interfaces that are virtual whatever sysfs says.
var virtualNICPrefixes = []string{
	"docker", "veth", "virbr", "vnet", "br-", "tap", "tun", "lxc", "lxd", "cni", "flannel",
	"cali", "vxlan", "wg", "tailscale", "zt", "podman", "kube", "cilium", "weave", "dummy",
}

func (c *collector) nics() {
	const dir = "sys/class/net"
	names, err := c.fs.readDir(dir)
	if err != nil {
		c.skip(KindNIC, dir, err)
		return
	}
	for _, name := range names {
		src := dir + "/" + name
		if why := c.virtualNIC(name, src); why != "" {
			c.ignore(KindNIC, src, fmt.Errorf("%w (%s)", errVirtual, why))
			continue
		}
		if t, err := c.fs.readString(src + "/type"); err == nil && t != "1" {
			c.ignore(KindNIC, src, errNotEther)
			continue
		}
		// A bond slave's address is the bond's; the permanent one is kept here.
		addrSrc := src + "/bonding_slave/perm_hwaddr"
		v, err := c.fs.readString(addrSrc)
		if err != nil {
			addrSrc = src + "/address"
			if t, err := c.fs.readString(src + "/addr_assign_type"); err == nil {
				switch t {
				case "1":
					c.ignore(KindNIC, addrSrc, errLocalMAC)
					continue
				case "3":
					c.ignore(KindNIC, addrSrc, errAssignedMAC)
					continue
				}
			}
			v, err = c.fs.readString(addrSrc)
			if err != nil {
				c.skip(KindNIC, addrSrc, err)
				continue
			}
		}
		if v, err = normMAC(v); err != nil {
			c.ignore(KindNIC, addrSrc, err)
			continue
		}
		c.add(KindNIC, addrSrc, v)
	}
}

// virtualNIC returns why the interface is virtual, or "".
func (c *collector) virtualNIC(name, src string) string {
	if name == "lo" {
		return "loopback"
	}
	for _, p := range virtualNICPrefixes {
		if strings.HasPrefix(name, p) {
			return "name " + p + "*"
		}
	}
	if real, err := c.fs.resolve(src); err == nil && strings.Contains(real+"/", "devices/virtual/") {
		return "under sys/devices/virtual"
	}
	for _, sub := range []struct{ file, why string }{
		{"bridge", "bridge"},
		{"bonding", "bond"},
		{"tun_flags", "tun/tap"},
	} {
		if c.fs.exists(src + "/" + sub.file) {
			return sub.why
		}
	}
	if !c.fs.exists(src + "/device") {
		return "no device link"
	}
	return ""
}

// Block devices that are not disks of their own.
var virtualDiskPrefixes = []string{"loop", "ram", "zram", "dm-", "md", "nbd", "zd", "rbd", "drbd", "bcache"}

// Block devices on removable media.
var removableDiskPrefixes = []string{"sr", "fd"}

func (c *collector) disks() {
	const dir = "sys/block"
	names, err := c.fs.readDir(dir)
	if err != nil {
		c.skip(KindDisk, dir, err)
		return
	}
	for _, name := range names {
		src := dir + "/" + name
		if slices.ContainsFunc(virtualDiskPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			c.ignore(KindDisk, src, errVirtualDisk)
			continue
		}
		if slices.ContainsFunc(removableDiskPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			c.ignore(KindDisk, src, errRemovable)
			continue
		}
		if real, err := c.fs.resolve(src); err == nil && strings.Contains(real+"/", "devices/virtual/") {
			c.ignore(KindDisk, src, errVirtualDisk)
			continue
		}
		if r, err := c.fs.readString(src + "/removable"); err == nil && r == "1" {
			c.ignore(KindDisk, src, errRemovable)
			continue
		}
		c.disk(src)
	}
}

// disk reads the first usable serial of one disk: the device's serial
// (NVMe, eMMC, some SCSI), the block device's serial (virtio), SCSI VPD page
// 0x80, or the WWID (which embeds vendor, model and serial).
func (c *collector) disk(src string) {
	var skipErr, ignoreErr error
	var skipSrc, ignoreSrc string
	for _, f := range []string{"device/serial", "serial", "device/vpd_pg80", "device/wwid", "wwid"} {
		fsrc := src + "/" + f
		b, err := c.fs.readFile(fsrc)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && skipErr == nil {
				skipErr, skipSrc = err, fsrc
			}
			continue
		}
		v := string(b)
		if f == "device/vpd_pg80" {
			if v, err = parseVPD80(b); err != nil {
				if ignoreErr == nil {
					ignoreErr, ignoreSrc = err, fsrc
				}
				continue
			}
		}
		v, err = normSerial(v)
		if err != nil {
			if ignoreErr == nil || errors.Is(ignoreErr, errNoSerial) {
				ignoreErr, ignoreSrc = err, fsrc
			}
			continue
		}
		c.add(KindDisk, fsrc, v)
		return
	}
	switch {
	case skipErr != nil:
		c.skip(KindDisk, skipSrc, skipErr)
	case ignoreErr != nil:
		c.ignore(KindDisk, ignoreSrc, ignoreErr)
	default:
		c.ignore(KindDisk, src, errNoSerial)
	}
}

// parseVPD80 returns the unit serial number of a SCSI VPD page 0x80.
func parseVPD80(b []byte) (string, error) {
	if len(b) < 4 || b[1] != 0x80 {
		return "", errMalformed
	}
	n := int(b[2])<<8 | int(b[3])
	if 4+n > len(b) {
		return "", errMalformed
	}
	return string(b[4 : 4+n]), nil
}

func (c *collector) cpu() {
	const src = "proc/cpuinfo"
	f, err := c.fs.open(src)
	if err != nil {
		c.skip(KindCPU, src, err)
		return
	}
	defer f.Close()
	fields := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), maxRead)
	for sc.Scan() {
		line := sc.Text()
		if line == "" && len(fields) > 0 {
			break // the first processor is enough
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, seen := fields[k]; !seen {
			fields[k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		c.skip(KindCPU, src, err)
		return
	}
	var model string
	switch {
	case fields["model name"] != "":
		model = fields["model name"]
	case fields["CPU implementer"] != "" && fields["CPU part"] != "":
		model = "arm implementer " + fields["CPU implementer"] + " part " + fields["CPU part"]
	case fields["cpu model"] != "":
		model = fields["cpu model"]
	case fields["cpu"] != "":
		model = fields["cpu"]
	case fields["uarch"] != "":
		model = fields["uarch"]
	}
	v, err := normCPU(model)
	if err != nil {
		c.ignore(KindCPU, src, errors.New("no CPU model line"))
		return
	}
	c.add(KindCPU, src, v)
}

// tpm reads the endorsement key: TPM 1.2 exposes it in sysfs (pubek); a
// TPM 2.0 is asked for the public area of its persistent EK through the
// resource manager dev/tpmrm0, which needs root or the tss group.
func (c *collector) tpm() {
	const dir = "sys/class/tpm"
	names, err := c.fs.readDir(dir)
	if err != nil || len(names) == 0 {
		return // no TPM: Missing says "not found"
	}
	slices.Sort(names)
	tdir := dir + "/" + names[0]
	for _, f := range []string{tdir + "/pubek", tdir + "/device/pubek"} {
		v, err := c.fs.readString(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			c.skip(KindTPM, f, err)
			return
		}
		if v = strings.Join(strings.Fields(v), " "); v == "" {
			c.ignore(KindTPM, f, errPlaceholder)
			return
		}
		c.add(KindTPM, f, v)
		return
	}
	const dev = "dev/tpmrm0"
	fi, err := c.fs.stat(dev)
	if err != nil {
		c.skip(KindTPM, dev, err)
		return
	}
	if fi.Mode()&fs.ModeCharDevice == 0 {
		c.skip(KindTPM, dev, errors.New("not a character device"))
		return
	}
	rel, err := c.fs.resolve(dev)
	if err != nil {
		c.skip(KindTPM, dev, err)
		return
	}
	f, err := os.OpenFile(c.fs.host(rel), os.O_RDWR, 0)
	if err != nil {
		err = unwrapPath(err)
		if errors.Is(err, fs.ErrPermission) {
			err = fmt.Errorf("%w (needs root or the tss group)", err)
		}
		c.skip(KindTPM, dev, err)
		return
	}
	defer f.Close()
	pub, err := tpmReadEK(f)
	if err != nil {
		c.skip(KindTPM, dev, err)
		return
	}
	c.add(KindTPM, dev, hex.EncodeToString(pub))
}
