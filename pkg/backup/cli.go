package backup

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The subcommands of the operator's binary that the backup and restore Jobs run.
var commands = map[string]func(ctx context.Context, args []string, out io.Writer) error{
	"backup-objects":  backupObjectsCommand,
	"restore-objects": restoreObjectsCommand,
	"copy-files":      copyFilesCommand,
}

// IsCommand reports whether name is one of the backup and restore subcommands.
func IsCommand(name string) bool {
	_, ok := commands[name]
	return ok
}

// terminationLog is where Kubernetes reads a container's termination message.
const terminationLog = "/dev/termination-log"

// RunCommand runs the subcommand args[0] with the flags args[1:], printing its progress on
// stdout. Its error is also written to the termination log when there is one, so that the
// controller reports it.
func RunCommand(ctx context.Context, args []string) error {
	err := commands[args[0]](ctx, args[1:], os.Stdout)
	if err != nil {
		if f, ferr := os.OpenFile(terminationLog, os.O_WRONLY|os.O_TRUNC, 0); ferr == nil {
			fmt.Fprint(f, err.Error())
			f.Close()
		}
	}
	return err
}

func newClient() (client.Client, error) {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return nil, fmt.Errorf("cannot find the Kubernetes API server: %w", err)
	}
	return client.New(cfg, client.Options{})
}

func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func backupObjectsCommand(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("backup-objects", flag.ContinueOnError)
	ns := fs.String("namespace", "", "the namespace of the objects")
	dir := fs.String("dir", MountPath, "the root of the backup")
	secrets := fs.String("secrets", "", "comma-separated names of the Secrets to back up")
	configMaps := fs.String("configmaps", "", "comma-separated names of the ConfigMaps to back up")
	apimanager := fs.String("apimanager", "", "the name of the APIManager to back up")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ns == "" {
		return errors.New("--namespace is required")
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	return BackupObjects(ctx, c, out, *ns, *dir, list(*secrets), list(*configMaps), *apimanager)
}

func restoreObjectsCommand(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("restore-objects", flag.ContinueOnError)
	ns := fs.String("namespace", "", "the namespace to restore into")
	dir := fs.String("dir", MountPath, "the root of the backup")
	objects := fs.Bool("secrets-configmaps", false, "restore the Secrets and ConfigMaps")
	apimanager := fs.Bool("apimanager", false, "restore the APIManager")
	overwrite := fs.Bool("overwrite", false, "replace the Secrets and ConfigMaps that exist")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ns == "" || *objects == *apimanager {
		return errors.New("--namespace and exactly one of --secrets-configmaps and --apimanager are required")
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	if *objects {
		return RestoreSecretsAndConfigMaps(ctx, c, out, *ns, *dir, *overwrite)
	}
	return RestoreAPIManager(ctx, c, out, *ns, *dir)
}

func copyFilesCommand(_ context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("copy-files", flag.ContinueOnError)
	from := fs.String("from", "", "the folder to copy")
	to := fs.String("to", "", "the folder to copy into")
	empty := fs.Bool("empty-destination", false, "fail when the destination holds files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("--from and --to are required")
	}
	files, bytes, err := CopyFiles(*from, *to, *empty)
	fmt.Fprintf(out, "copied %d files, %d bytes, from %s to %s\n", files, bytes, *from, *to)
	return err
}
