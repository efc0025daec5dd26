package main

// The memcmp and memcpy of FerretDB's SQLite, as scripts/install-ferretdb.sh builds them
// (tools/ferretdb/libc/memfast.go); it runs these tests before it builds.

import (
	"bytes"
	"testing"
	"unsafe"

	"modernc.org/libc"
)

// sign returns -1, 0 or 1 as v is negative, zero or positive.
func sign(v int) int32 {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	default:
		return 0
	}
}

func TestMemcmpHasTheSignOfTheFirstDifferingByte(t *testing.T) {
	for size := 0; size <= 70; size++ {
		left := make([]byte, size+1)
		for i := range left {
			left[i] = byte(i * 7)
		}

		for at := 0; at <= size; at++ {
			for _, delta := range []int{-200, -1, 0, 1, 200} {
				right := bytes.Clone(left)
				right[at] = byte(int(right[at]) + delta)
				want := int32(0)
				if at < size {
					want = sign(int(left[at]) - int(right[at]))
				}

				got := libc.Xmemcmp(nil, uintptr(unsafe.Pointer(&left[0])), uintptr(unsafe.Pointer(&right[0])), uint64(size))
				if sign(int(got)) != want {
					t.Fatalf("size %d, byte %d changed by %d: memcmp %d, want the sign %d", size, at, delta, got, want)
				}
			}
		}
	}
}

func TestMemcpyCopiesExactlyNBytes(t *testing.T) {
	for size := 0; size <= 70; size++ {
		source := make([]byte, size+2)
		for i := range source {
			source[i] = byte(i*13 + 1)
		}

		target := make([]byte, size+2)
		d := uintptr(unsafe.Pointer(&target[1]))
		if got := libc.Xmemcpy(nil, d, uintptr(unsafe.Pointer(&source[1])), uint64(size)); got != d {
			t.Fatalf("size %d: memcpy returned %#x, want its destination %#x", size, got, d)
		}

		want := make([]byte, size+2)
		copy(want[1:size+1], source[1:size+1])
		if !bytes.Equal(target, want) {
			t.Fatalf("size %d: copied %v, want %v", size, target, want)
		}
	}
}
