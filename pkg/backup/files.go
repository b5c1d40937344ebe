package backup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CopyFiles copies the tree under from into to (created when missing): directories, regular files
// (through a temporary name, with their mode and modification time) and symbolic links. With
// emptyDestination it first checks that to holds nothing but lost+found, and fails naming what it
// holds otherwise, so a restore never overwrites files silently. It returns the number of files
// and bytes copied.
func CopyFiles(from, to string, emptyDestination bool) (files int, bytes int64, err error) {
	if _, err := os.Stat(from); err != nil {
		return 0, 0, fmt.Errorf("cannot read the source folder: %w", err)
	}
	if emptyDestination {
		entries, err := os.ReadDir(to)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, 0, err
		}
		var names []string
		for _, e := range entries {
			if e.Name() != "lost+found" {
				names = append(names, e.Name())
			}
		}
		if len(names) > 0 {
			sort.Strings(names)
			if len(names) > 10 {
				names = append(names[:10], "...")
			}
			return 0, 0, fmt.Errorf("%s is not empty and the restore does not overwrite files (set spec.overwrite to copy over them): it holds %s", to, strings.Join(names, ", "))
		}
	}
	err = filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if rel == "lost+found" && d.IsDir() {
			return filepath.SkipDir
		}
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.MkdirAll(dst, info.Mode().Perm()|0o700); err != nil {
				return err
			}
			return os.Chmod(dst, info.Mode().Perm()|0o700)
		case info.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			_ = os.Remove(dst)
			return os.Symlink(target, dst)
		case info.Mode().IsRegular():
			n, err := copyFile(path, dst, info)
			files++
			bytes += n
			return err
		default:
			return nil // sockets, devices: not data
		}
	})
	return files, bytes, err
}

func copyFile(src, dst string, info fs.FileInfo) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".partial-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, in)
	if err == nil {
		err = tmp.Chmod(info.Mode().Perm())
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("cannot copy %s: %w", src, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return n, err
	}
	return n, os.Chtimes(dst, info.ModTime(), info.ModTime())
}
