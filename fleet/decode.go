package fleet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/go-tuilive/liveconfig"
)

// MaxFileBytes bounds a fleet file: 8 MiB holds about 200,000 apps of one line each, and decoding a file of
// that size stays under 1 GiB of memory whatever it holds (BENCHMARKS.md: 650 MB for 200,000 apps, 840 MB for
// the worst shape found, one list of four million items). A larger file is refused before it is decoded.
const MaxFileBytes = 8 << 20

// maxCommands bounds the command words of one callback configuration.
const maxCommands = 256

// maxProblems is how many problems of one file are reported before the rest are counted.
const maxProblems = 20

// Load reads, decodes and checks the fleet file at path (see the package documentation for its format). File
// paths in it are relative to its folder. It returns every problem found, up to 20, as [*FileError]s joined
// into one error that matches ErrInvalidFile, each with its line; it reads no secret.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Reason: fmt.Sprintf("cannot be opened: %v", errors.Unwrap(err))}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileBytes {
		return nil, &FileError{Path: path, Reason: tooLarge(fmt.Sprintf("is %d bytes", st.Size()))}
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, &FileError{Path: path, Reason: err.Error()}
	}
	file, err := decode(f, path, dir)
	if err != nil {
		return nil, err
	}
	file.Path = path
	return file, nil
}

// Decode reads a fleet file from r, as Load does. Relative file paths in it are taken relative to dir (the
// current folder when dir is ""). Errors name no file, only lines.
func Decode(r io.Reader, dir string) (*File, error) { return decode(r, "", dir) }

func decode(r io.Reader, path, dir string) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, &FileError{Path: path, Reason: "cannot be read: " + err.Error()}
	}
	if len(data) > MaxFileBytes {
		return nil, &FileError{Path: path, Reason: tooLarge("is larger")}
	}
	d := &decoder{path: path, dir: dir}
	file := d.file(data)
	if err := d.err(); err != nil {
		return nil, err
	}
	return file, nil
}

// firstInvalidUTF8 finds the first byte of data that is not valid UTF-8, by line and column (both from 1,
// the column counted in bytes); YAML's own error names no line for it.
func firstInvalidUTF8(data []byte) (line, col int, found bool) {
	if utf8.Valid(data) {
		return 0, 0, false
	}
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, i - start + 1, true
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return 0, 0, false
}

// tooLarge is the reason a file over MaxFileBytes is refused: what it is, and the cap.
func tooLarge(size string) string {
	return fmt.Sprintf("%s, over the %d MiB (%d bytes) a fleet file may have; split the fleet into several files", size, MaxFileBytes>>20, MaxFileBytes)
}

// decoder walks the YAML tree of a fleet file, collecting every problem with its line.
type decoder struct {
	path     string
	dir      string
	problems []*FileError
	more     int   // problems past maxProblems
	via      []int // the lines of the aliases the walk is inside, outermost first
}

// lineOf is where a problem at line is reported: inside an alias, at the alias (the app that uses it), with
// line as the anchor's; else at line itself.
func (d *decoder) lineOf(line int) (at, anchor int) {
	if len(d.via) == 0 || line == 0 {
		return line, 0
	}
	return d.via[0], line
}

// through walks n with walk, marking the walk as inside an alias when n is one (used at line).
func (d *decoder) through(n *yaml.Node, line int, walk func(*yaml.Node)) {
	if n == nil || n.Kind != yaml.AliasNode {
		walk(n)
		return
	}
	d.via = append(d.via, line)
	defer func() { d.via = d.via[:len(d.via)-1] }()
	walk(resolve(n))
}

func (d *decoder) fail(line int, where, format string, args ...any) {
	at, anchor := d.lineOf(line)
	d.failAt(at, anchor, where, format, args...)
}

// failAt reports a problem at line; anchor, when not 0, is the line of the value the problem is in, reached
// through an alias used at line.
func (d *decoder) failAt(line, anchor int, where, format string, args ...any) {
	if len(d.problems) == maxProblems {
		d.more++
		return
	}
	reason := fmt.Sprintf(format, args...)
	if anchor != 0 && anchor != line {
		reason += fmt.Sprintf(" (in the anchor's value, line %d)", anchor)
	}
	d.problems = append(d.problems, &FileError{Path: d.path, Line: line, Where: where, Reason: reason})
}

func (d *decoder) err() error {
	switch len(d.problems) {
	case 0:
		return nil
	case 1:
		return d.problems[0]
	}
	errs := make([]error, 0, len(d.problems)+1)
	for _, p := range d.problems {
		errs = append(errs, p)
	}
	if d.more > 0 {
		errs = append(errs, &FileError{Path: d.path, Reason: fmt.Sprintf("and %d more problems", d.more)})
	}
	return errors.Join(errs...)
}

func (d *decoder) file(data []byte) *File {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.fail(0, "", "is empty: it needs an apps list")
		} else if line, col, bad := firstInvalidUTF8(data); bad {
			d.fail(line, "", "is not UTF-8: column %d holds a byte that is not valid UTF-8", col)
		} else {
			d.fail(0, "", "is not YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return nil
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		d.fail(second.Line, "", "holds more than one YAML document; a fleet is one")
		return nil
	}
	if len(doc.Content) == 0 {
		d.fail(0, "", "is empty: it needs an apps list")
		return nil
	}
	root := resolve(doc.Content[0])
	defaults := layer{ok: true} // a file without defaults has empty ones
	var apps []layer
	appsLine := 0
	d.mapping(root, "", map[string]func(*yaml.Node){
		"defaults": func(n *yaml.Node) {
			defaults = d.layer(n, "defaults", true)
			d.exclusive(&defaults)
		},
		"apps": func(n *yaml.Node) {
			appsLine = n.Line
			if n.Kind != yaml.SequenceNode {
				d.fail(n.Line, "apps", "must be a list of apps")
				return
			}
			for i, item := range n.Content {
				d.through(item, item.Line, func(n *yaml.Node) { apps = append(apps, d.layer(n, fmt.Sprintf("apps[%d]", i), false)) })
			}
		},
	}, nil)
	switch {
	case appsLine == 0:
		d.fail(root.Line, "", "has no apps list")
		return nil
	case len(apps) == 0 && len(d.problems) == 0:
		d.fail(appsLine, "apps", "lists no app")
		return nil
	}
	file := &File{}
	names := map[string]int{}
	ids := map[uint64]int{}
	for i := range apps {
		app, ok := d.app(defaults, apps[i])
		if !ok {
			continue
		}
		if first, dup := names[app.Name]; dup {
			d.fail(apps[i].name.line, apps[i].where+".name", "%q is the name of the app on line %d too; names are unique", app.Name, first)
			continue
		}
		if first, dup := ids[app.SDKAppID]; dup {
			d.fail(apps[i].sdkAppID.line, apps[i].where+".sdkappid", "%d is the sdkappid of the app on line %d too; an app is listed once", app.SDKAppID, first)
			continue
		}
		names[app.Name], ids[app.SDKAppID] = app.Line, app.Line
		file.Apps = append(file.Apps, app)
	}
	return file
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping calls the handler of each key of the mapping n, and reports a node that is not a mapping, a key
// given twice, a merge key, and a key without a handler: refused keys get their own reason, others are
// unknown.
func (d *decoder) mapping(n *yaml.Node, where string, handlers map[string]func(*yaml.Node), refused map[string]string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n.Line, where, "must be a mapping of keys to values")
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		at := join(where, key.Value)
		if first, dup := seen[key.Value]; dup {
			d.fail(key.Line, at, "is given twice (first on line %d)", first)
			continue
		}
		seen[key.Value] = key.Line
		if key.Value == "<<" {
			d.fail(key.Line, where, "merge keys (<<) are not supported; put what apps share under defaults")
			continue
		}
		if reason, ok := refused[key.Value]; ok {
			d.fail(key.Line, at, "%s", reason)
			continue
		}
		handle, ok := handlers[key.Value]
		if !ok {
			d.fail(key.Line, at, "is not a key of %s (known: %s)", orTop(where), known(handlers))
			continue
		}
		d.through(value, key.Line, handle)
	}
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func orTop(where string) string {
	if where == "" {
		return "the file"
	}
	return where
}

// known lists the keys of handlers in a stable order.
func known(handlers map[string]func(*yaml.Node)) string {
	var keys []string
	for _, k := range keyOrder {
		if _, ok := handlers[k]; ok {
			keys = append(keys, k)
		}
	}
	return strings.Join(keys, ", ")
}

// keyOrder is the order in which keys are listed in messages, the order of the documentation.
var keyOrder = []string{"defaults", "apps", "name", "sdkappid", "region", "endpoint", "identifier",
	"secret_key_env", "secret_key_file", "callback", "token", "url", "commands", "token_file", "token_env", "enabled"}

// Reasons for keys that would put a secret in the file.
const (
	keyInFile   = "the secret key must not be in the file: name where it is, with secret_key_env: VARIABLE or secret_key_file: PATH"
	tokenInFile = "the token's value must not be in the file: name where it is, with token_env: VARIABLE or token_file: PATH"
)

var refusedAppKeys = map[string]string{"secret_key": keyInFile, "secretkey": keyInFile, "secret": keyInFile, "key": keyInFile}
var refusedTokenKeys = map[string]string{"token": tokenInFile, "value": tokenInFile, "secret": tokenInFile}

// field is one value of a layer, with whether the layer set it and where.
type field[T any] struct {
	set    bool
	value  T
	line   int
	anchor int // the line of the value itself when it came through an alias; 0 otherwise
}

// put sets the field to v, found at n. Inside a value reached through an alias, the field's line is the
// alias's (where the app uses it) and anchor the line of the value itself.
func (f *field[T]) put(d *decoder, n *yaml.Node, v T) {
	line, anchor := d.lineOf(n.Line)
	*f = field[T]{set: true, value: v, line: line, anchor: anchor}
}

// layer is what one mapping of the file, defaults or an app, says, before the two are merged.
type layer struct {
	where               string
	line                int
	name                field[string]
	sdkAppID            field[uint64]
	region              field[liveconfig.Region]
	endpoint            field[string]
	identifier          field[string]
	keyEnv, keyFile     field[string]
	callback            field[Want] // Present for a mapping; its keys follow
	url                 field[string]
	commands            field[[]liveconfig.Command]
	token               field[Want]
	tokenEnv, tokenFile field[string]
	enabled             field[bool]
	ok                  bool // no problem was found in it
}

func (d *decoder) layer(n *yaml.Node, where string, isDefaults bool) layer {
	l := layer{where: where, line: n.Line}
	before := len(d.problems) + d.more
	handlers := map[string]func(*yaml.Node){
		"region": func(v *yaml.Node) {
			if s, ok := d.scalar(v, join(where, "region")); ok {
				r, err := liveconfig.ParseRegion(s)
				if err != nil {
					d.fail(v.Line, join(where, "region"), "%s", reason(err))
					return
				}
				l.region.put(d, v, r)
			}
		},
		"endpoint":        d.stringInto(&l.endpoint, join(where, "endpoint")),
		"identifier":      d.stringInto(&l.identifier, join(where, "identifier")),
		"secret_key_env":  d.envInto(&l.keyEnv, join(where, "secret_key_env")),
		"secret_key_file": d.pathInto(&l.keyFile, join(where, "secret_key_file")),
		"callback":        func(v *yaml.Node) { d.callback(v, join(where, "callback"), &l) },
		"token":           func(v *yaml.Node) { d.token(v, join(where, "token"), &l) },
	}
	refused := refusedAppKeys
	if isDefaults {
		refused = map[string]string{"name": "is each app's own, not a default", "sdkappid": "is each app's own, not a default"}
		for k, v := range refusedAppKeys {
			refused[k] = v
		}
	} else {
		handlers["name"] = func(v *yaml.Node) {
			if s, ok := d.scalar(v, join(where, "name")); ok {
				if !validName.MatchString(s) {
					d.fail(v.Line, join(where, "name"), "%q must be 1 to 64 letters, digits, '-' or '_'", s)
					return
				}
				l.name.put(d, v, s)
			}
		}
		handlers["sdkappid"] = func(v *yaml.Node) {
			if s, ok := d.scalar(v, join(where, "sdkappid")); ok {
				id, err := strconv.ParseUint(s, 10, 64)
				if err != nil || id == 0 {
					d.fail(v.Line, join(where, "sdkappid"), "%q is not a positive whole number", s)
					return
				}
				l.sdkAppID.put(d, v, id)
			}
		}
	}
	d.mapping(n, where, handlers, refused)
	l.ok = len(d.problems)+d.more == before
	return l
}

var (
	validName    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	validEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,255}$`)
)

// reason is a library error's text without its package prefix.
func reason(err error) string {
	msg := strings.TrimPrefix(err.Error(), "liveconfig: ")
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "invalid ") {
		return msg[i+2:]
	}
	return msg
}

// scalar returns the text of a scalar node; a mapping, a list or an empty value is a problem.
func (d *decoder) scalar(n *yaml.Node, where string) (string, bool) {
	switch {
	case n.Kind != yaml.ScalarNode:
		d.fail(n.Line, where, "must be a single value, not a %s", kindName(n))
		return "", false
	case n.Tag == "!!null":
		d.fail(n.Line, where, "needs a value")
		return "", false
	}
	return n.Value, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value of another kind"
}

func (d *decoder) stringInto(f *field[string], where string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if s, ok := d.scalar(n, where); ok {
			if strings.TrimSpace(s) == "" {
				d.fail(n.Line, where, "must not be blank")
				return
			}
			f.put(d, n, s)
		}
	}
}

func (d *decoder) envInto(f *field[string], where string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if s, ok := d.scalar(n, where); ok {
			if !validEnvName.MatchString(s) {
				d.fail(n.Line, where, "%q is not an environment variable name (letters, digits and '_', not starting with a digit)", s)
				return
			}
			f.put(d, n, s)
		}
	}
}

// pathInto takes a file path, made absolute against the fleet file's folder.
func (d *decoder) pathInto(f *field[string], where string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		if s, ok := d.scalar(n, where); ok {
			if strings.TrimSpace(s) == "" || strings.ContainsRune(s, 0) {
				d.fail(n.Line, where, "must be a file path")
				return
			}
			if !filepath.IsAbs(s) && d.dir != "" {
				s = filepath.Join(d.dir, s)
			}
			f.put(d, n, s)
		}
	}
}

// part reads the scalar forms of callback and token: absent or unmanaged. It returns false for a mapping.
func (d *decoder) part(n *yaml.Node, where string, want *field[Want], literal string) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.Value {
	case "absent":
		want.put(d, n, Absent)
	case "unmanaged":
		want.put(d, n, Unmanaged)
	default:
		if literal != "" && n.Tag != "!!null" {
			d.fail(n.Line, where, "%s", literal)
		} else {
			d.fail(n.Line, where, "must be absent, unmanaged or a mapping, not %q", n.Value)
		}
	}
	return true
}

func (d *decoder) callback(n *yaml.Node, where string, l *layer) {
	if d.part(n, where, &l.callback, "") {
		return
	}
	l.callback.put(d, n, Present)
	url := d.stringInto(&l.url, join(where, "url"))
	d.mapping(n, where, map[string]func(*yaml.Node){
		"url": func(v *yaml.Node) {
			// Checked here, on its own, so that a bad url is reported even when the commands are bad too.
			var input *liveconfig.InputError
			if v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) != "" {
				if err := (liveconfig.CallbackConfig{URL: v.Value}).Validate(); errors.As(err, &input) && input.Field == "URL" {
					d.fail(v.Line, where, "url %s", input.Reason)
					return
				}
			}
			url(v) // the other checks of a string, and the field
		},
		"commands": func(v *yaml.Node) {
			at := join(where, "commands")
			switch {
			case v.Kind != yaml.SequenceNode:
				d.fail(v.Line, at, "must be a list of command words")
				return
			case len(v.Content) > maxCommands:
				// Tencent has a few dozen words; a list this long is a mistake, or an alias to a huge list
				// repeated for every app.
				d.fail(v.Line, at, "lists %d command words; at most %d", len(v.Content), maxCommands)
				return
			}
			cmds := make([]liveconfig.Command, 0, len(v.Content))
			for _, item := range v.Content {
				item = resolve(item)
				s, ok := d.scalar(item, at)
				if !ok {
					return
				}
				c, err := liveconfig.ParseCommand(s)
				if err != nil {
					d.fail(item.Line, at, "%s", reason(err))
					return
				}
				cmds = append(cmds, c)
			}
			l.commands.put(d, v, cmds)
		},
	}, nil)
}

func (d *decoder) token(n *yaml.Node, where string, l *layer) {
	if d.part(n, where, &l.token, tokenInFile) {
		return
	}
	l.token.put(d, n, Present)
	d.mapping(n, where, map[string]func(*yaml.Node){
		"token_env":  d.envInto(&l.tokenEnv, join(where, "token_env")),
		"token_file": d.pathInto(&l.tokenFile, join(where, "token_file")),
		"enabled": func(v *yaml.Node) {
			at := join(where, "enabled")
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				d.fail(v.Line, at, "must be true or false")
				return
			}
			var b bool
			if err := v.Decode(&b); err != nil {
				d.fail(v.Line, at, "must be true or false")
				return
			}
			l.enabled.put(d, v, b)
		},
	}, refusedTokenKeys)
}
