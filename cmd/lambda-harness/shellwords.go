package main

import (
	"errors"
	"strings"
)

// splitWords splits a command line into words the way a POSIX shell does,
// without expanding anything: words are separated by blanks; single quotes
// keep everything literally; double quotes keep blanks and honour the
// backslash before ", \, $ and `; outside quotes a backslash keeps the next
// character. So `./fn arg1 "arg 2" 'a "b"'` gives ./fn, arg1, arg 2 and a "b".
// An unterminated quote or a trailing backslash is an error.
func splitWords(s string) ([]string, error) {
	var (
		words []string
		word  strings.Builder
		// inWord is true once the current word has begun, so that an
		// empty quoted word ("") still counts as a word.
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case '\\':
			i++
			if i == len(s) {
				return nil, errors.New("command ends with a backslash")
			}
			word.WriteByte(s[i])
			inWord = true
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated single quote in command")
			}
			word.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				word.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, errors.New("unterminated double quote in command")
			}
			inWord = true
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}
