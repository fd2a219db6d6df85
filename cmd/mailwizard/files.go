package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxKeyFile bounds what mailwizard reads of a key file: a DKIM key, even
// an RSA 4096 key in PEM, is a few kilobytes.
const maxKeyFile = 64 << 10

// readKeyFile reads a key file named by a flag or a profile: a regular
// file of at most maxKeyFile bytes. A folder, a device or a pipe
// (--dkim-key /dev/zero, /dev/stdin) is refused before it is opened, so
// that reading it neither hangs nor fills the memory. The errors leave the
// name out: the caller's message already starts with it.
func readKeyFile(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, withoutPath(err)
	}
	switch {
	case st.IsDir():
		return nil, errors.New("it is a folder, not a key file")
	case !st.Mode().IsRegular():
		return nil, errors.New("it is not a regular file (a device or a pipe?), so it cannot be a key file")
	case st.Size() > maxKeyFile:
		return nil, fmt.Errorf("it has %d bytes, far too many for a key file (a key has a few thousand)", st.Size())
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, withoutPath(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	switch {
	case err != nil:
		return nil, withoutPath(err)
	case len(data) > maxKeyFile:
		return nil, fmt.Errorf("it has more than %d bytes, far too many for a key file", maxKeyFile)
	}
	return data, nil
}

// withoutPath is the cause of a file error without the path it names:
// "no such file or directory". It still matches fs.ErrNotExist and the
// like.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
