// Package secretfile reads a secret, a key or a token, from a file, the one way every command of this module
// does.
package secretfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// MaxBytes is the largest secret file read. A key is 64 characters and a token at most 128.
const MaxBytes = 64 << 10

// Read returns the secret in the file at path, trimmed as secretrule.Trim does: without a byte order mark at
// the start and the white space around it (the line break an editor leaves at the end, a stray CR or space). Its error says in a few words what is wrong, naming neither the
// path (the caller knows how to name it) nor anything read: "cannot be opened: no such file or directory",
// "is empty", "is larger than 64 KiB, so not a key or token".
func Read(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot be opened: %v", errors.Unwrap(err))
	}
	defer f.Close()
	return read(f)
}

// ReadRegular is Read for a path that untrusted data names (a fleet file's secret_key_file or token_file):
// it refuses anything but a regular file, so that such a path cannot make the reader wait on a FIFO that
// nobody writes, or read a device or a socket. Opening never blocks: a FIFO is opened without waiting for a
// writer, then refused.
func ReadRegular(path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", fmt.Errorf("cannot be opened: %v", errors.Unwrap(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("cannot be read: %v", errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("is not a regular file (it is a %s)", kind(st.Mode()))
	}
	return read(f)
}

// kind names a file mode's type for a message.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "FIFO"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func read(f *os.File) (string, error) {
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("cannot be read: %v", errors.Unwrap(err))
	case len(data) > MaxBytes:
		return "", fmt.Errorf("is larger than %d KiB, so not a key or token", MaxBytes>>10)
	}
	secret := secretrule.Trim(string(data))
	if secret == "" {
		return "", errors.New("is empty")
	}
	return secret, nil
}
