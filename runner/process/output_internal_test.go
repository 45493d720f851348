package process

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/runner"
)

func TestReadLines(t *testing.T) {
	long := strings.Repeat("x", maxLine)
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"lines", "a\nb\n", []string{"a", "b"}},
		{"empty lines", "\n\na\n", []string{"", "", "a"}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b"}},
		{"exactly the longest", long + "\nb\n", []string{long, "b"}},
		{"too long is split", long + "yz\n", []string{long, "yz"}},
		{"twice too long", long + long + "\n", []string{long, long}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			readLines(strings.NewReader(c.in), runner.Stderr, func(s runner.Stream, line []byte) {
				if s != runner.Stderr {
					t.Errorf("stream %d, want %d", s, runner.Stderr)
				}
				got = append(got, string(line))
			})
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("lines %q, want %q", abbreviate(got), abbreviate(c.want))
			}
		})
	}
}

func abbreviate(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) > 20 {
			l = fmt.Sprintf("%s...(%d bytes)", l[:10], len(l))
		}
		out[i] = l
	}
	return out
}
