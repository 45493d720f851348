package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/lambda-harness/lambda-harness"

type pkg struct {
	ImportPath string
	Deps       []string
	Standard   bool
}

// listDeps returns every package of the module with its transitive
// dependencies, as go list sees them.
func listDeps(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json=ImportPath,Deps,Standard", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// area returns which of the adapter areas a package belongs to.
func area(path string) string {
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	top, _, _ := strings.Cut(rest, "/")
	return top
}

func TestImportDirection(t *testing.T) {
	isolated := map[string]bool{"server": true, "amqp": true, "runner": true}
	seen := false
	for _, p := range listDeps(t) {
		if p.ImportPath == module+"/runner" {
			seen = strings.Contains(strings.Join(p.Deps, " "), module+"/invoke ")
		}
		from := area(p.ImportPath)
		for _, d := range p.Deps {
			if from == "invoke" && !strings.HasPrefix(d, module+"/invoke") && strings.Contains(strings.SplitN(d, "/", 2)[0], ".") {
				t.Errorf("%s imports %s: invoke must import only the standard library", p.ImportPath, d)
			}
			to := area(d)
			if isolated[from] && isolated[to] && from != to {
				t.Errorf("%s imports %s: server, amqp and runner never import each other", p.ImportPath, d)
			}
			if to == "cmd" {
				t.Errorf("%s imports %s: nothing imports cmd", p.ImportPath, d)
			}
		}
	}
	if !seen {
		t.Error("go list did not report runner's dependency on invoke: the check would pass vacuously")
	}
}
