package process

import (
	"bufio"
	"io"

	"github.com/lambda-harness/lambda-harness/runner"
)

// maxLine is the longest line passed on whole; a longer one is passed on
// in pieces of this size. 256 KB is the most Lambda keeps of one log event.
const maxLine = 256 << 10

// readLines passes each line of r to output until r ends or fails. The
// scanner's buffer starts small and grows to maxLine only for long lines,
// since every instance holds two of them.
func readLines(r io.Reader, stream runner.Stream, output func(runner.Stream, []byte)) {
	sc := bufio.NewScanner(r)
	// One byte more than maxLine, to see whether a line of exactly maxLine
	// bytes ends there.
	sc.Buffer(make([]byte, 0, 4096), maxLine+1)
	sc.Split(splitLines)
	for sc.Scan() {
		if output != nil {
			output(stream, sc.Bytes())
		}
	}
}

// splitLines is bufio.ScanLines, except that a line longer than maxLine is
// split instead of stopping the scanner with ErrTooLong.
func splitLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	advance, token, err = bufio.ScanLines(data, atEOF)
	if advance == 0 && token == nil && err == nil && len(data) > maxLine {
		return maxLine, data[:maxLine], nil
	}
	return advance, token, err
}
