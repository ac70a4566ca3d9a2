//go:build !linux

package main

import (
	"errors"
	"os"
)

var errNoPTY = errors.New("pseudo-terminals are opened only on Linux in these tests")

func openPTY() (pty, tty *os.File, err error) { return nil, nil, errNoPTY }
