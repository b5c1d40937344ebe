// Command gen-bundle writes the operator's OLM bundle (bundle/, bundle.Dockerfile) from config/:
// the CRDs, the manager-role rules, the manager Deployment and the samples. It replaces
// `operator-sdk generate bundle`, which this project cannot depend on.
//
// It reads only the repository and writes the same bytes for the same inputs (no timestamps, sorted
// output), so hack/verify-gen.sh can tell a stale bundle from a fresh one:
//
// It also writes the operator image into config/manager/kustomization.yaml, so that the plain
// install, the CSV's containerImage, its Deployment and its relatedImages name one image, the one
// `make bundle` passes from the Makefile's IMG:
//
//	go run ./hack/gen-bundle [-version 0.1.0] [-image quay.io/...:v0.1.0] [-replaces 0.0.9] [-root .] [-out .]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	opversion "github.com/threescale-oss/operator/pkg/version"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen-bundle:", err)
		os.Exit(1)
	}
}

// run is the whole command: read inputs, build the CSV, write the files. Notes about left-out
// inputs go to stderr.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen-bundle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var root, out string
	fs.StringVar(&o.Version, "version", opversion.Default, "The operator version (semver, no leading v).")
	fs.StringVar(&o.Image, "image", "", "The operator image, also written to config/manager; default: the image config/manager names, else its repository tagged v<version>.")
	fs.StringVar(&o.Replaces, "replaces", opversion.Previous, "The version this one replaces in the OLM upgrade graph (spec.replaces); empty for the first version.")
	fs.StringVar(&root, "root", ".", "The repository root to read config/ from.")
	fs.StringVar(&out, "out", "", "Where to write bundle/ and bundle.Dockerfile; default: the root.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if out == "" {
		out = root
	}

	in, err := readInputs(root)
	if err != nil {
		return err
	}
	csv, notes, err := buildCSV(in, o)
	if err != nil {
		return err
	}
	for _, note := range notes {
		fmt.Fprintln(stderr, "gen-bundle: note:", note)
	}
	files, err := renderBundle(csv, in.CRDs)
	if err != nil {
		return err
	}
	if files[managerKustomization], err = withManagerImage(root, csv.Annotations["containerImage"]); err != nil {
		return err
	}
	extras, extraNotes, err := readExtras(root)
	if err != nil {
		return err
	}
	for _, note := range extraNotes {
		fmt.Fprintln(stderr, "gen-bundle: note:", note)
	}
	extraBundleFiles, err := bundleExtras(extras, in.NamePrefix)
	if err != nil {
		return err
	}
	for path, data := range extraBundleFiles {
		files[path] = data
	}
	return writeBundle(out, files)
}
