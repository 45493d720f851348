package container

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/runner"
)

func TestLineWriter(t *testing.T) {
	long := strings.Repeat("x", maxLine)
	for _, c := range []struct {
		name   string
		writes []string
		want   []string
	}{
		{"lines in one write", []string{"a\nb\n"}, []string{"a", "b"}},
		{"a line across writes", []string{"he", "llo\nwor", "ld\n"}, []string{"hello", "world"}},
		{"empty lines", []string{"\n\na\n"}, []string{"", "", "a"}},
		{"CRLF", []string{"a\r\nb\r\n"}, []string{"a", "b"}},
		{"last line without a newline", []string{"a\nb"}, []string{"a", "b"}},
		{"a line of exactly maxLine", []string{long[:10], long[10:], "\n"}, []string{long}},
		{"a longer line, in pieces", []string{long, "yy", "z\n"}, []string{long, "yyz"}},
		{"a longer line in one write", []string{long + long + "y\n"}, []string{long, long, "y"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			w := &lineWriter{stream: runner.Stderr, output: func(s runner.Stream, line []byte) {
				if s != runner.Stderr {
					t.Errorf("stream %d", s)
				}
				got = append(got, string(line))
			}}
			for _, s := range c.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.flush()
			if !slices.Equal(got, c.want) {
				t.Errorf("lines %s, want %s", summary(got), summary(c.want))
			}
		})
	}
}

// summary shortens long lines for the test's messages.
func summary(lines []string) string {
	var b bytes.Buffer
	for _, l := range lines {
		if len(l) > 20 {
			l = fmt.Sprintf("%s...(%d bytes)", l[:10], len(l))
		}
		fmt.Fprintf(&b, "%q ", l)
	}
	return b.String()
}
