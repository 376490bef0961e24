// Command k8scheck renders kustomizations and checks every object in them
// offline, the way an API server would refuse it and more:
//
//   - each object is decoded strictly into its typed Go struct from k8s.io/api
//     (or the Prometheus operator's API): unknown, misspelt (case-sensitive)
//     and duplicate fields and values of the wrong type are errors, and so is
//     an apiVersion/kind it does not know (a removed API such as
//     autoscaling/v2beta2 among them);
//   - every pod template is evaluated against the Pod Security Standard
//     "restricted" (latest) with the upstream admission library, plus the
//     rules this project adds (read-only root file system, no service account
//     token, requests and limits, probes);
//   - references between objects resolve: selectors, named ports, the
//     ConfigMaps mounted, the autoscaler's target.
//
// Usage: k8scheck DIR... renders each kustomization directory (as kustomize
// v5 does, files restricted to the directory) and prints a JSON report on
// standard output: [{"dir", "objects", "problems"}]. Exit status 0 when no
// directory has a problem, 1 when one has, 2 when one cannot be rendered.
//
// k8scheck -files FILE... checks rendered manifests instead: each file is a
// stream of YAML documents (what `helm template` prints), checked as one
// rendering; the report's "dir" is the file's path.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// report is what k8scheck prints for one directory.
type report struct {
	Dir      string           `json:"dir"`
	Objects  []map[string]any `json:"objects"`
	Problems []string         `json:"problems"`
}

func main() {
	args := os.Args[1:]
	load := render
	if len(args) > 0 && args[0] == "-files" {
		args, load = args[1:], readManifests
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: k8scheck KUSTOMIZATION_DIR... | k8scheck -files MANIFESTS.yaml...")
		os.Exit(2)
	}
	var reports []report
	failed := false
	for _, dir := range args {
		docs, err := load(dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8scheck: %s: %v\n", dir, err)
			os.Exit(2)
		}
		r := check(dir, docs)
		failed = failed || len(r.Problems) > 0
		reports = append(reports, r)
	}
	out, err := json.MarshalIndent(reports, "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8scheck:", err)
		os.Exit(2)
	}
	fmt.Println(string(out))
	if failed {
		os.Exit(1)
	}
}

// render builds a kustomization and returns its objects as YAML documents.
func render(dir string) ([][]byte, error) {
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionLegacy // the order `kubectl kustomize` prints
	k := krusty.MakeKustomizer(opts)
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		docs = append(docs, y)
	}
	return docs, nil
}

// check decodes and checks the rendered objects of one directory.
func check(dir string, docs [][]byte) report {
	r := report{Dir: dir, Objects: []map[string]any{}, Problems: []string{}}
	var objects []any
	for _, doc := range docs {
		var generic map[string]any
		if err := yaml.Unmarshal(doc, &generic); err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("invalid YAML: %v", err))
			continue
		}
		r.Objects = append(r.Objects, generic)
		obj, problems := decodeStrict(bytes.TrimSpace(doc))
		r.Problems = append(r.Problems, problems...)
		if obj != nil {
			objects = append(objects, obj)
		}
	}
	set := newObjectSet(objects)
	r.Problems = append(r.Problems, set.checkPods()...)
	r.Problems = append(r.Problems, set.checkReferences()...)
	return r
}
