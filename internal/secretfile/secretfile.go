// Package secretfile reads a secret, a key or a token, from a file, the one way every command of this module
// does.
package secretfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxBytes is the largest secret file read. A key is 64 characters and a token at most 128.
const MaxBytes = 64 << 10

// Read returns the secret in the file at path, without the white space around it (the line break an editor
// leaves at the end, a stray CR or space). Its error says in a few words what is wrong, naming neither the
// path (the caller knows how to name it) nor anything read: "cannot be opened: no such file or directory",
// "is empty", "is larger than 64 KiB, so not a key or token".
func Read(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot be opened: %v", errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("cannot be read: %v", errors.Unwrap(err))
	case len(data) > MaxBytes:
		return "", fmt.Errorf("is larger than %d KiB, so not a key or token", MaxBytes>>10)
	}
	secret := strings.TrimSpace(string(data))
	if secret == "" {
		return "", errors.New("is empty")
	}
	return secret, nil
}
