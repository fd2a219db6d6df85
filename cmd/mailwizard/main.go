package main

import (
	"context"
	"os"
	"time"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], env{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		getenv:   os.Getenv,
		environ:  os.Environ(),
		now:      time.Now,
		readFile: readKeyFile,
	}))
}
