package fountain

// LoopLen returns the number of frames in the first loop of a transfer of k
// blocks: the k source frames and one repair frame after every RepairEvery
// of them (and after the last).
func LoopLen(k int) int {
	return k + (k+RepairEvery-1)/RepairEvery
}

// SourceIndex returns the source block carried by frame seq of a transfer
// of k blocks, or -1 when seq is a repair frame.
func SourceIndex(k int, seq uint32) int {
	if k <= 0 || uint64(seq) >= uint64(LoopLen(k)) {
		return -1
	}
	g, r := int(seq)/(RepairEvery+1), int(seq)%(RepairEvery+1)
	if i := g*RepairEvery + r; r < RepairEvery && i < k {
		return i
	}
	return -1
}

// Sources returns, in increasing order, the source blocks whose XOR frame
// seq of transfer id with k blocks carries. It returns nil when k is not
// positive.
func Sources(id uint32, k int, seq uint32) []int {
	if k <= 0 {
		return nil
	}
	var out []int
	coef := make([]uint64, words(k))
	coefficients(coef, id, k, seq)
	for j := range k {
		if coef[j/64]>>(j%64)&1 != 0 {
			out = append(out, j)
		}
	}
	return out
}

func words(k int) int { return (k + 63) / 64 }

// coefficients sets coef (words(k) words) to the bit set of the source
// blocks of frame seq.
func coefficients(coef []uint64, id uint32, k int, seq uint32) {
	clear(coef)
	if i := SourceIndex(k, seq); i >= 0 {
		coef[i/64] = 1 << (i % 64)
		return
	}
	r := splitMix64(uint64(id)<<32 | uint64(seq))
	nz := uint64(0)
	for w := range coef {
		coef[w] = r.next()
		if w == len(coef)-1 && k%64 != 0 {
			coef[w] &= 1<<(k%64) - 1
		}
		nz |= coef[w]
	}
	if nz == 0 {
		i := int(seq % uint32(k))
		coef[i/64] = 1 << (i % 64)
	}
}

// splitMix64 is Steele, Lea and Flood's SplitMix64 generator, the seeding
// generator of xoshiro; it is specified here because the frame format
// depends on its output.
type splitMix64 uint64

func (s *splitMix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
