package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// file is a regular file found in an archive or a package.
type file struct {
	mode fs.FileMode
	data []byte
}

// contents maps the clean path of every regular file ("usr/bin/mailwizard",
// without "./" or "/") to the file.
type contents map[string]file

// readArchive reads a release archive in format "tar.gz" or "zip".
func readArchive(path, format string) (contents, error) {
	switch format {
	case "tar.gz":
		return readTarGz(path)
	case "zip":
		return readZip(path)
	default:
		return nil, fmt.Errorf("read %s: archive format %q unknown to the test", path, format)
	}
}

// readTarGz reads a gzip-compressed tar file. It also reads an Alpine
// package: gzip streams of tar segments one after the other, which the gzip
// reader joins into one tar stream.
func readTarGz(path string) (contents, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	c, err := readTar(zr)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return c, nil
}

// readTar collects the regular files of a tar stream.
func readTar(r io.Reader) (contents, error) {
	c := contents{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", hdr.Name, err)
		}
		c[cleanName(hdr.Name)] = file{mode: hdr.FileInfo().Mode(), data: data}
	}
}

// readZip collects the regular files of a zip file.
func readZip(path string) (contents, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	c := contents{}
	for _, zf := range zr.File {
		if !zf.Mode().IsRegular() {
			continue
		}
		data, err := readZipFile(zf)
		if err != nil {
			return nil, fmt.Errorf("read %s: %s: %w", path, zf.Name, err)
		}
		c[cleanName(zf.Name)] = file{mode: zf.Mode(), data: data}
	}
	return c, nil
}

// readZipFile returns the uncompressed contents of one zip entry.
func readZipFile(zf *zip.File) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// readDeb collects the files a Debian package installs: the data.tar.gz
// member of the package's ar archive.
func readDeb(path string) (contents, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	members, err := arMembers(raw)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	data, ok := members["data.tar.gz"]
	if !ok {
		return nil, fmt.Errorf("read %s: no data.tar.gz among its members (.goreleaser.yaml keeps nfpm's gzip default)", path)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read %s: data.tar.gz: %w", path, err)
	}
	c, err := readTar(zr)
	if err != nil {
		return nil, fmt.Errorf("read %s: data.tar.gz: %w", path, err)
	}
	return c, nil
}

// arMembers splits a Unix ar archive (the container of a .deb) into its
// members by name: a magic line, then per member a 60-byte header whose
// bytes 0-15 hold the name and 48-57 the decimal size, the data, and a pad
// byte after data of odd length.
func arMembers(raw []byte) (map[string][]byte, error) {
	const magic, headerLen = "!<arch>\n", 60
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return nil, errors.New("not an ar archive")
	}
	members := map[string][]byte{}
	rest := raw[len(magic):]
	for len(rest) > 0 {
		if len(rest) < headerLen {
			return nil, errors.New("ar archive ends inside a member header")
		}
		name := strings.TrimSuffix(strings.TrimSpace(string(rest[0:16])), "/")
		size, err := strconv.Atoi(strings.TrimSpace(string(rest[48:58])))
		if err != nil || size < 0 || size > len(rest)-headerLen {
			return nil, fmt.Errorf("ar member %q has a bad size %q", name, rest[48:58])
		}
		members[name] = rest[headerLen : headerLen+size]
		rest = rest[min(headerLen+size+size%2, len(rest)):]
	}
	return members, nil
}

// cleanName turns "./usr/bin/x" and "/usr/bin/x" into "usr/bin/x".
func cleanName(name string) string {
	return strings.TrimPrefix(strings.TrimPrefix(name, "./"), "/")
}
