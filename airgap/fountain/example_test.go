package fountain_test

import (
	"bytes"
	"fmt"

	"licet.dev/licet/airgap/fountain"
)

func Example() {
	license := bytes.Repeat([]byte("a signed license "), 300) // 5,100 bytes
	enc, err := fountain.NewEncoder(license, fountain.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(enc.Transfer().Blocks, "blocks,", enc.LoopLen(), "frames in the first loop")

	// The camera misses every fifth frame.
	dec := fountain.NewDecoder()
	for seq := uint32(0); !dec.Done(); seq++ {
		if seq%5 == 4 {
			continue
		}
		p, err := dec.Add(enc.Frame(seq))
		if err != nil {
			panic(err)
		}
		if p.Done() {
			fmt.Println("done after frame", seq)
		}
	}
	got, err := dec.Payload()
	fmt.Println(bytes.Equal(got, license), err)
	// Output:
	// 13 blocks, 18 frames in the first loop
	// done after frame 16
	// true <nil>
}
