package export

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// Manifest returns obj as YAML, without its status and without the empty metadata a new object
// carries, as a user would write it.
func Manifest(obj client.Object) ([]byte, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(u, "status")
	if md, ok := u["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return yaml.Marshal(u)
}

// Write writes objs to w as one YAML stream, for `kubectl apply -f -`.
func Write(w io.Writer, objs []client.Object) error {
	var buf bytes.Buffer
	for i, obj := range objs {
		b, err := Manifest(obj)
		if err != nil {
			return err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteDir writes each object of objs into its own file of dir, created when missing, named
// after its kind and name (product-petstore.yaml); a numeric prefix keeps the apply order
// (`kubectl apply -f dir` applies files in name order). It returns the files written.
func WriteDir(dir string, objs []client.Object) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for i, obj := range objs {
		b, err := Manifest(obj)
		if err != nil {
			return nil, err
		}
		kind := strings.ToLower(obj.GetObjectKind().GroupVersionKind().Kind)
		name := filepath.Join(dir, fmt.Sprintf("%03d-%s-%s.yaml", i+1, kind, obj.GetName()))
		if err := os.WriteFile(name, b, 0o600); err != nil {
			return nil, err
		}
		files = append(files, name)
	}
	return files, nil
}
