// Command image builds the operator's container image without a container engine (none runs
// here, and no base image can be pulled): a static operator binary, the CA certificates of this
// machine's Debian ca-certificates package, a non-root user, and the OCI labels of the version,
// source and revision, assembled with go-containerregistry into an OCI image layout written as a
// tar archive (`make image`; load it with `skopeo copy oci-archive:...` or `podman load`).
//
// go-containerregistry is used here, in a build tool, and never in the operator's binary: it is
// the library ko and crane are built on, and assembling OCI blobs and manifests by hand is what
// it already does well.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's user: not root, with a fixed ID that Kubernetes' runAsNonRoot can check.
const (
	uid      = 65532
	userName = "nonroot"
)

// Paths in the image.
const (
	binaryPath   = "/manager"
	caBundlePath = "/etc/ssl/certs/ca-certificates.crt"
)

// Options say what to build.
type Options struct {
	// Binary is the operator binary to put in the image; built from the module when empty.
	Binary string
	// CABundle is the PEM file of trusted CA certificates.
	CABundle string
	// Version, Revision and Source label the image (org.opencontainers.image.*).
	Version, Revision, Source string
	// Created is the image's creation time (the commit's, for reproducible images).
	Created time.Time
}

func main() {
	var o Options
	output := flag.String("output", "bin/threescale-operator-image.tar", "Where to write the OCI archive.")
	flag.StringVar(&o.Binary, "binary", "", "A static operator binary (built with CGO_ENABLED=0 when empty).")
	flag.StringVar(&o.CABundle, "ca-bundle", "/etc/ssl/certs/ca-certificates.crt", "The CA certificates to trust (PEM).")
	flag.StringVar(&o.Version, "version", "0.0.0-dev", "The image's version label and tag.")
	flag.StringVar(&o.Revision, "revision", "", "The source revision (git commit) label.")
	flag.StringVar(&o.Source, "source", "https://github.com/threescale-oss/operator", "The source repository label.")
	created := flag.Int64("created", 0, "The creation time, in Unix seconds (default: $SOURCE_DATE_EPOCH, else the epoch).")
	flag.Parse()
	o.Created = time.Unix(*created, 0).UTC()
	if *created == 0 {
		if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
			var s int64
			if _, err := fmt.Sscan(v, &s); err == nil {
				o.Created = time.Unix(s, 0).UTC()
			}
		}
	}
	if err := Build(o, *output); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	fmt.Println("wrote", *output)
}

// Build writes the image of o as an OCI archive (a tar of an OCI image layout) at output.
func Build(o Options, output string) error {
	work, err := os.MkdirTemp("", "operator-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	binary := o.Binary
	if binary == "" {
		binary = filepath.Join(work, "manager")
		if err := buildBinary(binary, o.Version); err != nil {
			return err
		}
	}
	img, err := Image(o, binary)
	if err != nil {
		return err
	}
	dir := filepath.Join(work, "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": o.Version,
	})); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return err
	}
	return tarDir(dir, output)
}

// buildBinary builds the operator statically (no libc to find in an image that has none), with
// version stamped in, so that the binary reports the version the image's labels carry.
func buildBinary(out, version string) error {
	ldflags := "-s -w -X github.com/threescale-oss/operator/pkg/version.Version=" + strings.TrimPrefix(version, "v")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("cannot build the operator: %w", err)
	}
	return nil
}

// Image assembles the image: one layer with the binary, the CA bundle and the user's files.
func Image(o Options, binary string) (v1.Image, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(o.CABundle)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(ca, []byte("BEGIN CERTIFICATE")) {
		return nil, fmt.Errorf("%s holds no PEM certificate", o.CABundle)
	}
	files := []file{
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/passwd", mode: 0o644, data: []byte(fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:/home/%s:/sbin/nologin\n", userName, uid, uid, userName, userName))},
		{name: "etc/group", mode: 0o644, data: []byte(fmt.Sprintf("root:x:0:\n%s:x:%d:\n", userName, uid))},
		{name: "etc/ssl/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/", mode: 0o755, dir: true},
		{name: strings.TrimPrefix(caBundlePath, "/"), mode: 0o644, data: ca},
		{name: "home/", mode: 0o755, dir: true},
		{name: "home/" + userName + "/", mode: 0o700, dir: true, owner: uid},
		{name: "tmp/", mode: 0o1777, dir: true},
		{name: strings.TrimPrefix(binaryPath, "/"), mode: 0o755, data: bin},
	}
	layerTar, err := tarFiles(files, o.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Created = v1.Time{Time: o.Created}
	cfg.Config.Entrypoint = []string{binaryPath}
	cfg.Config.User = fmt.Sprintf("%d:%d", uid, uid)
	cfg.Config.WorkingDir = "/"
	cfg.Config.Env = []string{"PATH=/", "SSL_CERT_FILE=" + caBundlePath}
	cfg.Config.Labels = map[string]string{
		"org.opencontainers.image.title":       "3scale operator",
		"org.opencontainers.image.description": "Kubernetes operator for Red Hat 3scale API Management",
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.revision":    o.Revision,
		"org.opencontainers.image.source":      o.Source,
		"org.opencontainers.image.licenses":    "Apache-2.0",
	}
	return mutate.ConfigFile(img, cfg)
}

// file is one entry of the image's layer.
type file struct {
	name  string
	mode  int64
	dir   bool
	owner int
	data  []byte
}

// tarFiles writes files as a tar, owned by root unless said otherwise, all dated at.
func tarFiles(files []file, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: at, Uid: f.owner, Gid: f.owner, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// tarDir writes the files under dir as a tar archive at output (the OCI archive format).
func tarDir(dir, output string) (err error) {
	out, err := os.Create(output)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	tw := tar.NewWriter(out)
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if info.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
