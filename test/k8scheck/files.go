package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// readManifests reads a stream of YAML documents, such as `helm template`
// prints, and returns the documents that hold an object. Documents with
// nothing but comments (a template whose condition is off) are left out.
func readManifests(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open manifests: %w", err)
	}
	defer f.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		var generic map[string]any
		if err := yaml.Unmarshal(doc, &generic); err != nil {
			return nil, fmt.Errorf("parse a document of %s: %w", path, err)
		}
		if generic == nil {
			continue
		}
		docs = append(docs, doc)
	}
}
