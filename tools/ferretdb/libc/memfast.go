//go:build ignore

// scripts/install-ferretdb.sh copies this file, without the build line above, into a copy of
// modernc.org/libc, the C library of FerretDB's SQLite (C translated to Go), and makes its
// memcmp and memcpy call these.

package libc

import (
	"bytes"
	"unsafe"
)

// memcmpFast compares n bytes at l and r as memcmp does (only the sign of the result counts).
// The translated memcmp compares byte by byte in Go; SQLite compares a whole document (JSON
// text of 10-30 KB) with its JSON cache once per index it updates for each insert.
func memcmpFast(l, r uintptr, n uint64) int32 {
	if n == 0 {
		return 0
	}

	return int32(bytes.Compare(unsafe.Slice((*byte)(unsafe.Pointer(l)), n), unsafe.Slice((*byte)(unsafe.Pointer(r)), n)))
}

// memcpyFast copies n bytes from s to d and returns d, as memcpy does, with Go's copy.
func memcpyFast(d, s uintptr, n uint64) uintptr {
	if n != 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(d)), n), unsafe.Slice((*byte)(unsafe.Pointer(s)), n))
	}

	return d
}
