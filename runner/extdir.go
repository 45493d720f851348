package runner

import (
	"log/slog"
	"os"
	"path/filepath"
	"sort"
)

// ExtensionFiles returns the external extensions in dir: its executable
// regular files (symlinks followed), sorted by name, as Lambda starts the
// files of /opt/extensions. An empty dir has none.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html#runtimes-extensions-api-reg
func ExtensionFiles(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths, nil
}

// externalExtensions returns the names init waits for: an external
// extension registers under its file name.
func externalExtensions(dir string, log *slog.Logger) []string {
	paths, err := ExtensionFiles(dir)
	if err != nil {
		// The launcher reports the same failure as the launch's.
		log.Warn("cannot list extensions", "dir", dir, "error", err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}
