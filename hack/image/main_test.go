package main

import (
	"archive/tar"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// TestImage builds the image as `make image` does, with a small static program standing in for
// the operator binary (building the operator without cgo takes minutes on a cold cache; the
// binary's build is the same command), opens the OCI archive the way a registry tool does, and
// checks what runs: the entrypoint, a non-root user, the OCI labels, a static binary, the CA
// certificates and the user's passwd entry.
func TestImage(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "image.tar")
	created := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nfunc main() { println(\"manager\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module stand.in/manager\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	standIn := filepath.Join(dir, "stand-in")
	build := exec.Command("go", "build", "-o", standIn, ".")
	build.Dir, build.Env = src, append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := Build(Options{Binary: standIn, CABundle: "/etc/ssl/certs/ca-certificates.crt", Version: "1.2.3", Revision: "abc123",
		Source: "https://github.com/threescale-oss/operator", Created: created}, archive); err != nil {
		t.Fatal(err)
	}

	// The archive is an OCI layout: untar it and read it back.
	unpacked := filepath.Join(dir, "layout")
	untar(t, archive, unpacked)
	index, err := layout.ImageIndexFromPath(unpacked)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := index.IndexManifest()
	if err != nil || len(manifest.Manifests) != 1 {
		t.Fatalf("index: %+v, %v", manifest, err)
	}
	if ref := manifest.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; ref != "1.2.3" {
		t.Errorf("ref name %q", ref)
	}
	img, err := index.Image(manifest.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Config.Entrypoint, " "); got != "/manager" {
		t.Errorf("entrypoint %q", got)
	}
	if cfg.Config.User != "65532:65532" {
		t.Errorf("user %q, want a non-root numeric user", cfg.Config.User)
	}
	for k, v := range map[string]string{
		"org.opencontainers.image.version": "1.2.3", "org.opencontainers.image.revision": "abc123",
		"org.opencontainers.image.source": "https://github.com/threescale-oss/operator",
	} {
		if cfg.Config.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, cfg.Config.Labels[k], v)
		}
	}
	if cfg.OS != "linux" || cfg.Architecture != "amd64" || !cfg.Created.Time.Equal(created) {
		t.Errorf("platform %s/%s created %v", cfg.OS, cfg.Architecture, cfg.Created)
	}

	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]*tar.Header{}
	contents := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			contents[h.Name] = b
		}
	}
	if h := files["manager"]; h == nil || h.Mode&0o111 == 0 {
		t.Fatalf("no executable /manager: %+v", h)
	}
	binary := filepath.Join(dir, "manager")
	if err := os.WriteFile(binary, contents["manager"], 0o755); err != nil {
		t.Fatal(err)
	}
	exe, err := elf.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer exe.Close()
	for _, p := range exe.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the operator binary is dynamically linked: the image has no libc")
		}
	}
	if !strings.Contains(string(contents["etc/ssl/certs/ca-certificates.crt"]), "BEGIN CERTIFICATE") {
		t.Error("no CA certificates")
	}
	if !strings.Contains(string(contents["etc/passwd"]), "nonroot:x:65532:65532:") {
		t.Errorf("passwd:\n%s", contents["etc/passwd"])
	}
	if h := files["tmp/"]; h == nil || h.Mode&0o1777 != 0o1777 {
		t.Errorf("tmp: %+v", h)
	}
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
