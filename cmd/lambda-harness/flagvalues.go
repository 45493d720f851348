package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseSeconds parses a duration given either as a Go duration ("3s",
// "1m30s") or, as Lambda configures timeouts, as plain seconds ("3",
// "1.5"). A negative duration is an error.
func parseSeconds(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f > float64(math.MaxInt64)/float64(time.Second) {
			return 0, fmt.Errorf("duration %q out of range", s)
		}
		d = time.Duration(f * float64(time.Second))
	} else {
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("duration %q: want a Go duration like 3s or 1m30s, or seconds like 3", s)
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return d, nil
}

// formatDuration prints d the way a user would write it: "10m" rather than
// time.Duration's "10m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// secondsValue is a flag.Value for parseSeconds durations.
type secondsValue time.Duration

func (v *secondsValue) Set(s string) error {
	d, err := parseSeconds(s)
	if err != nil {
		return err
	}
	*v = secondsValue(d)
	return nil
}

func (v *secondsValue) String() string {
	if v == nil {
		return ""
	}
	return formatDuration(time.Duration(*v))
}

// listValue is a repeatable string flag: each use appends one value.
type listValue []string

func (v *listValue) Set(s string) error {
	*v = append(*v, s)
	return nil
}

func (v *listValue) String() string {
	if v == nil {
		return ""
	}
	return strings.Join(*v, " ")
}

// levelValue is a flag.Value for the harness's log level.
type levelValue slog.Level

func (v *levelValue) Set(s string) error {
	l, err := parseLevel(s)
	if err != nil {
		return err
	}
	*v = levelValue(l)
	return nil
}

func (v *levelValue) String() string {
	if v == nil {
		return ""
	}
	return strings.ToLower(slog.Level(*v).String())
}

// parseLevel parses a log level. Besides slog's debug, info, warn and error
// it accepts the names aws-lambda-rie (logrus) and Python runtimes use for
// LOG_LEVEL — trace, warning, fatal, panic, critical — mapped to the
// nearest level, since LOG_LEVEL is shared with the runtime in rie mode.
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "trace", "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error", "fatal", "panic", "critical":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
}

// formatValue is a flag.Value that accepts one of a fixed set of words.
type formatValue string

func (v *formatValue) Set(s string) error {
	switch s {
	case "text", "json":
		*v = formatValue(s)
		return nil
	}
	return errors.New(`want "text" or "json"`)
}

func (v *formatValue) String() string {
	if v == nil {
		return ""
	}
	return string(*v)
}

// fileValue is a flag.Value for a file that may be given once.
type fileValue string

func (v *fileValue) Set(s string) error {
	switch {
	case s == "":
		return errors.New("want a file name")
	case *v != "":
		return fmt.Errorf("one functions file only, and %s is given already", string(*v))
	}
	*v = fileValue(s)
	return nil
}

func (v *fileValue) String() string {
	if v == nil {
		return ""
	}
	return string(*v)
}
